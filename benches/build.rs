//! Reads the versions of the peers (and of tokio) from the bench's `Cargo.lock`, so that the
//! report names the versions actually built: `env!("BENCH_VERSION_KAMEO")` and so on.

use std::path::Path;

/// Packages whose locked version the report prints.
const PACKAGES: [&str; 6] = ["tokio", "kameo", "ractor", "actix", "actix-rt", "xtra"];

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let lock = Path::new(&manifest).join("Cargo.lock");
    println!("cargo::rerun-if-changed={}", lock.display());
    let text = std::fs::read_to_string(&lock).unwrap_or_default();
    for package in PACKAGES {
        let versions = locked_versions(&text, package);
        let version = if versions.is_empty() {
            "?".to_owned()
        } else {
            versions.join(" / ")
        };
        let key = package.replace('-', "_").to_uppercase();
        println!("cargo::rustc-env=BENCH_VERSION_{key}={version}");
    }
}

/// Every version of `package` in the lock file (usually one).
fn locked_versions(lock: &str, package: &str) -> Vec<String> {
    let name = format!("name = \"{package}\"");
    let mut lines = lock.lines();
    let mut versions = Vec::new();
    while let Some(line) = lines.next() {
        if line.trim() == name
            && let Some(version) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = "))
        {
            versions.push(version.trim_matches('"').to_owned());
        }
    }
    versions
}
