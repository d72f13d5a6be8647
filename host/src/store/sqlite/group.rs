//! Group commit: changes that wait for the writer share its next transaction.
//!
//! SQLite writes one transaction at a time, and each transaction costs a
//! write of every page it touched to the log. Under load, most of a
//! transaction's pages are the same as the next one's (the newest leaves of
//! the ticket and event indexes), so writing many changes in one transaction
//! costs little more than writing one.
//!
//! A change joins a queue, then waits for the writer connection. Whoever gets
//! the connection takes the whole queue and writes it in one transaction,
//! each change in a savepoint of its own: a change that is refused (a stale
//! version, a taken key) is rolled back alone and the others are kept. Every
//! change, kept or refused, learns its outcome only after the transaction
//! committed. The
//! batch runs in a task of its own, so a caller that goes away (a client that
//! hung up) never cuts a transaction that others are waiting on short; its
//! own change is withdrawn if no batch has taken it yet, and written
//! otherwise.

use std::sync::{Arc, Mutex, PoisonError};

use sqlx::SqlitePool;
use sqlx::pool::PoolConnection;
use sqlx::{Connection, Sqlite};
use tokio::sync::oneshot;

use super::script::{Failed, Script};
use crate::store::StoreError;

/// The most changes one transaction takes; the rest wait for the next.
const MAX_BATCH: usize = 256;

type Answer = oneshot::Sender<Result<(), StoreError>>;

struct Queued {
    id: u64,
    script: Script,
    answer: Answer,
}

#[derive(Default)]
struct Queue {
    next_id: u64,
    waiting: Vec<Queued>,
}

/// The writer's queue of changes.
#[derive(Clone)]
pub(super) struct GroupCommit {
    writer: SqlitePool,
    queue: Arc<Mutex<Queue>>,
}

impl GroupCommit {
    pub(super) fn new(writer: SqlitePool) -> Self {
        GroupCommit {
            writer,
            queue: Arc::default(),
        }
    }

    /// Write `script` in the writer's next transaction and return its
    /// outcome once that transaction has committed.
    pub(super) async fn commit(&self, script: Script) -> Result<(), StoreError> {
        let (answer, outcome) = oneshot::channel();
        let id = {
            let mut queue = self.lock();
            let id = queue.next_id;
            queue.next_id += 1;
            queue.waiting.push(Queued { id, script, answer });
            id
        };
        // A caller that goes away before its change was taken withdraws it.
        let _withdraw = Withdraw { group: self, id };
        let mut outcome = std::pin::pin!(outcome);
        loop {
            tokio::select! {
                // A batch that took this change along answers before the
                // writer is free again.
                answer = &mut outcome => return answered(answer),
                acquired = self.writer.acquire() => match acquired {
                    Ok(conn) => {
                        let batch = self.take();
                        if batch.is_empty() {
                            drop(conn);
                        } else {
                            tokio::spawn(write(conn, batch));
                        }
                    }
                    Err(e) if self.withdraw(id) => return Err(e.into()),
                    // A batch has it: its outcome is the answer.
                    Err(_) => {}
                },
            }
            // Behind a full batch, the change waits for the writer again.
            if !self.lock().waiting.iter().any(|q| q.id == id) {
                return answered(outcome.await);
            }
        }
    }

    /// Take the change out of the queue if no batch has taken it yet.
    fn withdraw(&self, id: u64) -> bool {
        let mut queue = self.lock();
        match queue.waiting.iter().position(|q| q.id == id) {
            Some(at) => {
                queue.waiting.remove(at);
                true
            }
            None => false,
        }
    }

    fn take(&self) -> Vec<Queued> {
        let mut queue = self.lock();
        let n = queue.waiting.len().min(MAX_BATCH);
        queue.waiting.drain(..n).collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

struct Withdraw<'a> {
    group: &'a GroupCommit,
    id: u64,
}

impl Drop for Withdraw<'_> {
    fn drop(&mut self) {
        self.group.withdraw(self.id);
    }
}

fn answered(
    answer: Result<Result<(), StoreError>, oneshot::error::RecvError>,
) -> Result<(), StoreError> {
    answer.unwrap_or_else(|_| {
        Err(StoreError::Aborted(
            "the writer stopped before the change was written".into(),
        ))
    })
}

/// Write a batch in one transaction and answer every change in it, kept or
/// refused, once the transaction has committed: a change refused because of
/// another one in the batch (the same idempotency key, the same ticket
/// version) must find that one's rows when it looks for them.
async fn write(mut conn: PoolConnection<Sqlite>, batch: Vec<Queued>) {
    let mut tx = match conn.begin().await {
        Ok(tx) => tx,
        Err(e) => return fail_all(batch.into_iter().map(|q| q.answer), &e),
    };
    let mut kept = Vec::with_capacity(batch.len());
    let mut refused = Vec::new();
    let mut batch = batch.into_iter();
    while let Some(change) = batch.next() {
        match change.script.run_in_savepoint(&mut tx).await {
            Ok(()) => kept.push(change.answer),
            Err(Failed::Refused(e)) => refused.push((change.answer, e)),
            Err(Failed::Broken(e)) => {
                let rest = kept
                    .into_iter()
                    .chain(refused.into_iter().map(|(answer, _)| answer))
                    .chain(batch.map(|q| q.answer));
                fail_all(rest, &e);
                let _ = change.answer.send(Err(e));
                return;
            }
        }
    }
    match tx.commit().await {
        Ok(()) => {
            for answer in kept {
                let _ = answer.send(Ok(()));
            }
            for (answer, refusal) in refused {
                let _ = answer.send(Err(refusal));
            }
        }
        Err(e) => fail_all(
            kept.into_iter().chain(refused.into_iter().map(|(a, _)| a)),
            &e,
        ),
    }
}

/// The transaction failed: nothing of these changes was kept.
fn fail_all(answers: impl IntoIterator<Item = Answer>, why: &dyn std::fmt::Display) {
    let why = why.to_string();
    for answer in answers {
        let _ = answer.send(Err(StoreError::Aborted(why.clone())));
    }
}
