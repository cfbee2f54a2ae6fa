//! `#[actor(serde)]`: generated messages that survive encoding, and replies carried back as
//! bytes through `Wire`.

use aplay::Dispatch;
use aplay::prelude::*;
use aplay::wire::{self, CodecError, Outcome, WIRE_VERSION, Wire};
use serde::{Deserialize, Serialize};

/// A user type carried in a message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Entry {
    account: String,
    cents: i64,
}

/// What `record` received, kept to be read back through an ask.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Recorded {
    memo: String,
    tags: Vec<u16>,
    entry: Entry,
    note: Option<String>,
}

#[actor]
#[derive(Default)]
struct Ledger {
    total: u64,
    balance: i64,
    records: Vec<Recorded>,
}

#[actor(serde)]
impl Ledger {
    fn add(&mut self, n: u64) {
        self.total += n;
    }

    fn total(&self) -> u64 {
        self.total
    }

    fn record(&mut self, memo: String, tags: Vec<u16>, entry: Entry, note: Option<String>) {
        self.balance += entry.cents;
        self.records.push(Recorded {
            memo,
            tags,
            entry,
            note,
        });
    }

    fn records(&self) -> Vec<Recorded> {
        self.records.clone()
    }

    fn withdraw(&mut self, cents: i64) -> Result<i64, String> {
        if cents > self.balance {
            return Err(format!(
                "cannot withdraw {cents}: the balance is {}",
                self.balance
            ));
        }
        self.balance -= cents;
        Ok(self.balance)
    }

    fn explode(&self) -> u8 {
        panic!("the handler fails")
    }
}

fn entry(account: &str, cents: i64) -> Entry {
    Entry {
        account: account.into(),
        cents,
    }
}

/// `msg` encoded then decoded, as another process would receive it.
fn through_the_wire(msg: &LedgerMsg) -> LedgerMsg {
    let bytes = wire::encode(msg).unwrap();
    wire::decode(&bytes).unwrap()
}

async fn ledger() -> (System, ActorRef<Ledger>) {
    let system = System::new();
    let ledger = system.spawn("ledger", Ledger::default()).await.unwrap();
    (system, ledger)
}

#[tokio::test]
async fn decoded_messages_carry_the_same_variant_and_fields() {
    let (system, ledger) = ledger().await;
    let sent = [
        LedgerMsg::add(5),
        LedgerMsg::record(
            "rent".into(),
            vec![1, 300, u16::MAX],
            entry("alice", 1_250),
            Some("paid late".into()),
        ),
        LedgerMsg::record(String::new(), Vec::new(), entry("bob", -7), None),
        LedgerMsg::add(u64::MAX - 5),
    ];
    for msg in &sent {
        ActorRef::send(&ledger, through_the_wire(msg))
            .await
            .unwrap();
    }

    assert_eq!(ledger.total().await.unwrap(), u64::MAX);
    assert_eq!(
        ledger.records().await.unwrap(),
        [
            Recorded {
                memo: "rent".into(),
                tags: vec![1, 300, u16::MAX],
                entry: entry("alice", 1_250),
                note: Some("paid late".into()),
            },
            Recorded {
                memo: String::new(),
                tags: Vec::new(),
                entry: entry("bob", -7),
                note: None,
            },
        ]
    );
    system.shutdown().await;
}

#[test]
fn a_small_message_is_a_few_bytes() {
    // The version, the variant's index (`add` is the first handler), the varint 5.
    let bytes = wire::encode(&LedgerMsg::add(5)).unwrap();
    println!("add(5) is {} bytes: {bytes:?}", bytes.len());
    assert_eq!(bytes, [WIRE_VERSION, 0, 5]);
}

#[test]
fn replies_do_not_travel() {
    // An ask's message decodes as a tell: its reply channel stayed behind.
    let mut msg = LedgerMsg::total();
    let _outcome = Ledger::expect_outcome(&mut msg);
    let bytes = wire::encode(&msg).unwrap();
    assert_eq!(bytes, [WIRE_VERSION, 1]);
    let mut decoded: LedgerMsg = wire::decode(&bytes).unwrap();
    assert!(!Ledger::is_ask(&decoded));
    assert!(Ledger::take_reply(&mut decoded).is_none());
}

#[tokio::test]
async fn the_outcome_of_an_ask_is_its_encoded_reply() {
    let (system, ledger) = ledger().await;
    ledger.add(42).await.unwrap();

    let mut msg = through_the_wire(&LedgerMsg::total());
    let outcome = Ledger::expect_outcome(&mut msg);
    ActorRef::send(&ledger, msg).await.unwrap();
    let Outcome::Replied { reply, error } = outcome.await else {
        panic!("the ask was handled and must have replied");
    };
    assert_eq!(error, None);
    assert_eq!(wire::decode::<u64>(&reply).unwrap(), 42);
    system.shutdown().await;
}

#[tokio::test]
async fn the_outcome_of_a_tell_says_when_it_was_handled() {
    let (system, ledger) = ledger().await;
    let mut msg = through_the_wire(&LedgerMsg::add(3));
    let outcome = Ledger::expect_outcome(&mut msg);
    ActorRef::send(&ledger, msg).await.unwrap();
    let outcome = outcome.await;
    assert!(outcome.is_success(), "{outcome:?}");
    let Outcome::Replied { reply, .. } = outcome else {
        unreachable!()
    };
    wire::decode::<()>(&reply).unwrap();
    assert_eq!(ledger.total().await.unwrap(), 3);
    system.shutdown().await;
}

#[tokio::test]
async fn a_failing_result_handler_gives_its_error_as_text_and_the_whole_result() {
    let (system, ledger) = ledger().await;
    ledger
        .record("opening".into(), vec![], entry("carol", 100), None)
        .await
        .unwrap();

    let mut msg = through_the_wire(&LedgerMsg::withdraw(30));
    let ok = Ledger::expect_outcome(&mut msg);
    ActorRef::send(&ledger, msg).await.unwrap();
    let Outcome::Replied { reply, error } = ok.await else {
        panic!("withdraw replied")
    };
    assert_eq!(error, None);
    assert_eq!(wire::decode::<Result<i64, String>>(&reply).unwrap(), Ok(70));

    let mut msg = through_the_wire(&LedgerMsg::withdraw(500));
    let failed = Ledger::expect_outcome(&mut msg);
    ActorRef::send(&ledger, msg).await.unwrap();
    let outcome = failed.await;
    assert!(!outcome.is_success());
    let Outcome::Replied { reply, error } = outcome else {
        panic!("withdraw replied")
    };
    let message = "cannot withdraw 500: the balance is 70".to_string();
    assert_eq!(error.as_ref(), Some(&message));
    assert_eq!(
        wire::decode::<Result<i64, String>>(&reply).unwrap(),
        Err(message)
    );
    // Asked, so the actor goes on.
    assert!(ledger.is_alive());
    system.shutdown().await;
}

#[tokio::test]
async fn a_panicking_handler_gives_no_reply() {
    let (system, ledger) = ledger().await;
    let mut msg = through_the_wire(&LedgerMsg::explode());
    let outcome = Ledger::expect_outcome(&mut msg);
    ActorRef::send(&ledger, msg).await.unwrap();
    assert_eq!(outcome.await, Outcome::NoReply);
    system.shutdown().await;
}

#[tokio::test]
async fn a_reply_that_comes_back_as_bytes_completes_the_asker() {
    let (system, ledger) = ledger().await;
    ledger.add(9).await.unwrap();

    // Here: an ask, whose reply channel is kept while the message travels.
    let mut msg = LedgerMsg::total();
    let asker = Ledger::expect_outcome(&mut msg);
    let completer = Ledger::take_reply(&mut msg).expect("an ask has a reply channel");
    assert!(!completer.is_closed());
    let bytes = wire::encode(&msg).unwrap();

    // There: decoded and handled; the reply comes back as bytes.
    let mut there: LedgerMsg = wire::decode(&bytes).unwrap();
    let handled = Ledger::expect_outcome(&mut there);
    ActorRef::send(&ledger, there).await.unwrap();
    let Outcome::Replied { reply, .. } = handled.await else {
        panic!("total replied")
    };

    // Here again: the bytes complete the asker's wait with the decoded value.
    completer.complete(&reply).unwrap();
    let Outcome::Replied { reply, error } = asker.await else {
        panic!("the asker was completed")
    };
    assert_eq!(error, None);
    assert_eq!(wire::decode::<u64>(&reply).unwrap(), 9);
    system.shutdown().await;
}

#[tokio::test]
async fn a_reply_of_the_wrong_type_is_an_error_and_the_asker_gets_no_reply() {
    let mut msg = LedgerMsg::records();
    let asker = Ledger::expect_outcome(&mut msg);
    let completer = Ledger::take_reply(&mut msg).unwrap();
    // A `String` where a `Vec<Recorded>` is expected.
    let wrong = wire::encode("not records").unwrap();
    assert!(matches!(
        completer.complete(&wrong),
        Err(CodecError::Malformed(_))
    ));
    assert_eq!(asker.await, Outcome::NoReply);
}

#[test]
fn an_asker_that_stopped_waiting_is_seen_closed() {
    let mut msg = LedgerMsg::total();
    let asker = Ledger::expect_outcome(&mut msg);
    let completer = Ledger::take_reply(&mut msg).unwrap();
    drop(asker);
    assert!(completer.is_closed());
}

#[test]
fn bad_payloads_are_errors_not_panics() {
    assert_eq!(
        wire::decode::<LedgerMsg>(&[]).unwrap_err(),
        CodecError::Empty
    );
    assert_eq!(
        wire::decode::<LedgerMsg>(&[WIRE_VERSION + 1, 0, 5]).unwrap_err(),
        CodecError::Version {
            found: WIRE_VERSION + 1,
            expected: WIRE_VERSION
        }
    );
    let garbage: [&[u8]; 4] = [
        &[WIRE_VERSION],                // no variant
        &[WIRE_VERSION, 200],           // no such variant
        &[WIRE_VERSION, 0, 0xff, 0xff], // a varint cut short
        &[WIRE_VERSION, 2, 9, b'r', 0], // a string longer than the payload
    ];
    for bytes in garbage {
        let error = wire::decode::<LedgerMsg>(bytes).unwrap_err();
        assert!(
            matches!(error, CodecError::Malformed(_)),
            "{bytes:?}: {error:?}"
        );
    }
}
