//! Secure connections to Redis: TLS (`rediss://`) against a server with a certificate from a
//! CA generated for the test, mutual TLS, and ACL users in the URL. What is wrong (a wrong
//! password, a missing permission, a TLS mismatch) is a clear error at connect.

use std::path::PathBuf;
use std::time::Duration;

use crate::redis_actors::{Jobs, Report};
use crate::redis_server::{Options, RedisServer, TlsFiles, unique};
use aplay::prelude::*;
use aplay::redis::{RedisErrorKind, RedisStation, StationConfig};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use tokio::sync::mpsc;

/// A CA, and a server and a client certificate it signed, as PEM files in `dir`.
struct Certificates {
    ca: Vec<u8>,
    client: (Vec<u8>, Vec<u8>),
    dir: PathBuf,
}

impl Certificates {
    fn generate() -> Self {
        let dir = std::env::temp_dir().join(unique("aplay-tls"));
        std::fs::create_dir_all(&dir).unwrap();
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(DnType::CommonName, "aplay test CA");
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().unwrap()).unwrap();
        let signed = |names: Vec<String>, usage: ExtendedKeyUsagePurpose| {
            let key = KeyPair::generate().unwrap();
            let mut params = CertificateParams::new(names).unwrap();
            params.extended_key_usages = vec![usage];
            let cert = params.signed_by(&key, &ca).unwrap();
            (cert.pem().into_bytes(), key.serialize_pem().into_bytes())
        };
        let server = signed(
            vec!["127.0.0.1".to_owned(), "localhost".to_owned()],
            ExtendedKeyUsagePurpose::ServerAuth,
        );
        let client = signed(
            vec!["client".to_owned()],
            ExtendedKeyUsagePurpose::ClientAuth,
        );
        let ca = ca.pem().into_bytes();
        std::fs::write(dir.join("ca.crt"), &ca).unwrap();
        std::fs::write(dir.join("server.crt"), &server.0).unwrap();
        std::fs::write(dir.join("server.key"), &server.1).unwrap();
        Certificates { ca, client, dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }
}

impl Drop for Certificates {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A server speaking only TLS on its TCP port; with `clients`, it asks for a client
/// certificate.
fn tls_server(certs: &Certificates, clients: bool) -> (RedisServer, u16) {
    let server = RedisServer::start_with(Options::default().tls(TlsFiles {
        cert: certs.path("server.crt"),
        key: certs.path("server.key"),
        ca: certs.path("ca.crt"),
        auth_clients: clients,
    }));
    let port = server.tls_port();
    (server, port)
}

fn config(namespace: &str) -> StationConfig {
    StationConfig::default()
        .namespace(namespace)
        .block(Duration::from_millis(200))
        .command_timeout(Duration::from_secs(2))
}

/// Serves `/jobs` on `station`, then sends a tell and an ask through it: both come through.
async fn round_trip(station: &RedisStation) {
    let system = System::new();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let serving = station
        .serve(&system, "/jobs", move || {
            Jobs::new(Report::Channel(tx.clone()))
        })
        .await
        .expect("serving over the secure connection");
    let jobs = station.remote::<Jobs>("/jobs").unwrap();
    jobs.run(7).await.unwrap();
    jobs.flushed().await.unwrap();
    assert_eq!(rx.recv().await, Some(7));
    assert_eq!(jobs.echo(42, 0).await.unwrap(), 42);
    serving.stop().await;
    system.shutdown().await;
}

async fn refused(url: &str, config: StationConfig) -> aplay::redis::RedisError {
    match RedisStation::connect_with(url, config).await {
        Err(Error::Redis(error)) => error,
        Ok(_) => panic!("{url} was accepted"),
        Err(other) => panic!("not a Redis error: {other}"),
    }
}

#[tokio::test]
async fn tls_with_the_servers_ca_carries_tells_and_asks() {
    let certs = Certificates::generate();
    let (_server, port) = tls_server(&certs, false);
    let ns = unique("tls");
    let station = RedisStation::connect_with(
        &format!("rediss://127.0.0.1:{port}"),
        config(&ns).tls_root_certificate(certs.ca.clone()),
    )
    .await
    .expect("a TLS connection");
    round_trip(&station).await;
}

#[tokio::test]
async fn tls_mismatches_are_clear_errors_at_connect() {
    let certs = Certificates::generate();
    let (_server, port) = tls_server(&certs, false);
    let ns = unique("tls-mismatch");

    // Plain text to a TLS port: no answer the client understands; refused, not retried.
    let started = std::time::Instant::now();
    let plain = refused(&format!("redis://127.0.0.1:{port}"), config(&ns)).await;
    assert!(plain.is_connection(), "{plain}");
    assert!(plain.message().contains("rediss://"), "a hint: {plain}");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "gave up in time"
    );

    // The server's certificate is not signed by a CA this client trusts.
    let untrusted = refused(&format!("rediss://127.0.0.1:{port}"), config(&ns)).await;
    assert!(
        untrusted.message().to_lowercase().contains("certificate"),
        "{untrusted}"
    );

    // Certificates for a URL that does not ask for TLS: a mistake, said at once.
    let mixed = refused(
        &format!("redis://127.0.0.1:{port}"),
        config(&ns).tls_root_certificate(certs.ca.clone()),
    )
    .await;
    assert_eq!(mixed.kind(), RedisErrorKind::Config, "{mixed}");
    assert!(mixed.message().contains("rediss://"), "{mixed}");
}

#[tokio::test]
async fn mutual_tls_needs_the_client_certificate() {
    let certs = Certificates::generate();
    let (_server, port) = tls_server(&certs, true);
    let ns = unique("mtls");
    let url = format!("rediss://127.0.0.1:{port}");
    let without = refused(&url, config(&ns).tls_root_certificate(certs.ca.clone())).await;
    assert!(without.is_connection(), "{without}");

    let (cert, key) = certs.client.clone();
    let station = RedisStation::connect_with(
        &url,
        config(&ns)
            .tls_root_certificate(certs.ca.clone())
            .tls_client_certificate(cert, key),
    )
    .await
    .expect("a mutual TLS connection");
    round_trip(&station).await;
}

/// Creates the ACL user `name` with password `secret` and `rules`.
fn acl_user(server: &RedisServer, name: &str, rules: &[&str]) {
    let mut args = vec!["ACL", "SETUSER", name, "reset", "on", ">secret"];
    args.extend_from_slice(rules);
    server.command(&args);
}

#[tokio::test]
async fn an_acl_user_confined_to_its_namespace_works_and_wrong_ones_are_refused_at_connect() {
    let server = RedisServer::start_with(Options::default().tcp());
    let port = server.port();
    let ns = unique("acl");
    // What the guide's chapter on Redis recommends.
    let pattern = format!("~{ns}:*");
    let rules = [
        pattern.as_str(),
        "+@stream",
        "+@hash",
        "+@string",
        "+@keyspace",
        "+@scripting",
        "+@connection",
    ];
    acl_user(&server, "jobs", &rules);
    let url = |user: &str, password: &str| format!("redis://{user}:{password}@127.0.0.1:{port}");
    let station = RedisStation::connect_with(&url("jobs", "secret"), config(&ns))
        .await
        .expect("the namespace's user connects");
    round_trip(&station).await;

    // A wrong password: said at once, and the password is not repeated.
    let started = std::time::Instant::now();
    let wrong = refused(&url("jobs", "guess"), config(&ns)).await;
    assert_eq!(wrong.kind(), RedisErrorKind::Permission, "{wrong}");
    assert!(!wrong.message().contains("guess"), "{wrong}");
    assert!(started.elapsed() < Duration::from_secs(10), "no retry loop");

    // A user whose keys are elsewhere: the missing permissions are named.
    acl_user(&server, "elsewhere", &["~other:*", "+@all"]);
    let elsewhere = refused(&url("elsewhere", "secret"), config(&ns)).await;
    assert_eq!(elsewhere.kind(), RedisErrorKind::Permission, "{elsewhere}");
    assert!(
        elsewhere.message().contains("XADD") && elsewhere.message().contains(&ns),
        "{elsewhere}"
    );

    // A user without scripts.
    let mut no_scripts = rules.to_vec();
    no_scripts.retain(|r| *r != "+@scripting");
    acl_user(&server, "noscripts", &no_scripts);
    let scripts = refused(&url("noscripts", "secret"), config(&ns)).await;
    assert_eq!(scripts.kind(), RedisErrorKind::Permission, "{scripts}");
    assert!(scripts.message().contains("EVAL"), "{scripts}");
}
