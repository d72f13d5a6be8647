//! Turns: which plugin calls run WebAssembly at this moment.
//!
//! A call slot ([`super::slots`]) lets a call be in flight; a turn lets it
//! use a core. There are as many turns as cores, and one party (a tenant)
//! holds at most half of them, so a tenant whose plugin computes until its
//! deadline never has every core. A running call gives its turn back at
//! every epoch tick when another call waits, and turns go round the waiting
//! parties in order: a tenant with one call waits at most a tick or two
//! behind a tenant with many. Calls that begin and calls that run long take
//! turns of two separate sets (see [`Seat`]).

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::oneshot;

/// The turns of one runtime.
pub struct Turns {
    total: u32,
    per_party: usize,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    free: usize,
    /// Parties that hold or wait for a turn; the others are forgotten.
    parties: HashMap<Arc<str>, Party>,
    /// Parties with waiting calls, in the order they are served.
    order: VecDeque<Arc<str>>,
    waiting: usize,
}

#[derive(Default)]
struct Party {
    running: usize,
    waiting: VecDeque<oneshot::Sender<Turn>>,
}

/// A turn held; dropping it hands it to the next waiting call.
pub struct Turn {
    turns: Option<Arc<Turns>>,
    party: Arc<str>,
}

impl Turns {
    /// `total` calls run at once, at most `per_party` of them for one party.
    pub fn new(total: u32, per_party: u32) -> Arc<Self> {
        let total = total.max(1);
        Arc::new(Turns {
            total,
            per_party: (per_party as usize).clamp(1, total as usize),
            state: Mutex::new(State {
                free: total as usize,
                ..State::default()
            }),
        })
    }

    /// Wait for a turn. Calls of one party are served in the order they
    /// asked; parties take turns.
    pub async fn take(self: &Arc<Self>, party: &Arc<str>) -> Turn {
        loop {
            let waiting = {
                let mut state = self.lock();
                let state = &mut *state;
                let free = state.free > 0;
                let entry = state.parties.entry(party.clone()).or_default();
                if free && entry.waiting.is_empty() && entry.running < self.per_party {
                    entry.running += 1;
                    state.free -= 1;
                    return self.turn(party.clone());
                }
                let (tx, rx) = oneshot::channel();
                if entry.waiting.is_empty() {
                    state.order.push_back(party.clone());
                }
                entry.waiting.push_back(tx);
                state.waiting += 1;
                rx
            };
            // A sender is only dropped unanswered with the whole state, so
            // this loop ends at the first answer.
            if let Ok(turn) = waiting.await {
                return turn;
            }
        }
    }

    /// How many calls run at once.
    pub fn total(&self) -> u32 {
        self.total
    }

    /// Whether some call waits for a turn.
    pub fn contended(&self) -> bool {
        self.lock().waiting > 0
    }

    fn turn(self: &Arc<Self>, party: Arc<str>) -> Turn {
        Turn {
            turns: Some(self.clone()),
            party,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A turn of `party` came back: hand it to the next call in order.
    fn release(self: &Arc<Self>, party: &Arc<str>) {
        let mut state = self.lock();
        state.give_back(party);
        while state.free > 0 {
            let Some((next, waiter)) = state.next_waiter(self.per_party) else {
                break;
            };
            state.free -= 1;
            if let Some(p) = state.parties.get_mut(&next) {
                p.running += 1;
            }
            // A waiter whose call ended (its deadline passed while it
            // waited) is gone; take the turn back without dropping it under
            // the lock, and try the next one.
            if let Err(mut unsent) = waiter.send(self.turn(next.clone())) {
                unsent.turns = None;
                state.give_back(&next);
            } else {
                break;
            }
        }
    }
}

impl State {
    fn give_back(&mut self, party: &Arc<str>) {
        self.free += 1;
        if let Some(p) = self.parties.get_mut(party) {
            p.running = p.running.saturating_sub(1);
            if p.running == 0 && p.waiting.is_empty() {
                self.parties.remove(party);
            }
        }
    }

    /// The first waiting call of the first party in order that may run one
    /// more; that party goes to the back of the order if it still waits.
    fn next_waiter(&mut self, per_party: usize) -> Option<(Arc<str>, oneshot::Sender<Turn>)> {
        for _ in 0..self.order.len() {
            let party = self.order.pop_front()?;
            let Some(p) = self.parties.get_mut(&party) else {
                continue;
            };
            if p.running >= per_party {
                self.order.push_back(party);
                continue;
            }
            let Some(waiter) = p.waiting.pop_front() else {
                continue;
            };
            self.waiting -= 1;
            if !p.waiting.is_empty() {
                self.order.push_back(party.clone());
            }
            return Some((party, waiter));
        }
        None
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        if let Some(turns) = self.turns.take() {
            turns.release(&self.party);
        }
    }
}

/// Where one call keeps its turn: taken before the call runs, passed on at
/// a tick when others wait, given back when the call ends. A call that runs
/// long moves from the turns where calls begin to those of the plugin
/// threads ([`super::offload`]), so that it never holds up its tenant's
/// short calls. Clones share the seat, so the store's epoch callback can
/// pass the turn the call took.
#[derive(Clone)]
pub struct Seat {
    party: Arc<str>,
    here: Arc<Turns>,
    long: Arc<Turns>,
    held: Arc<Mutex<Held>>,
}

#[derive(Default)]
struct Held {
    turn: Option<Turn>,
    moved: bool,
}

/// The wait for a call's next turn.
pub type NextTurn = Pin<Box<dyn Future<Output = ()> + Send>>;

impl Seat {
    /// A seat for one call of `party`, taking turns in `here` and, once it
    /// runs long, in `long`.
    pub fn new(party: &str, here: &Arc<Turns>, long: &Arc<Turns>) -> Self {
        Seat {
            party: party.into(),
            here: here.clone(),
            long: long.clone(),
            held: Arc::default(),
        }
    }

    /// Wait for a turn and keep it.
    pub async fn sit(&self) {
        let turns = self.turns();
        let turn = turns.take(&self.party).await;
        self.lock().turn = Some(turn);
    }

    /// At a tick: when another call waits, give the turn up and return the
    /// wait for the next one; `None` when the call may go on.
    pub fn pass(&self) -> Option<NextTurn> {
        if !self.turns().contended() {
            return None;
        }
        let turn = self.lock().turn.take();
        drop(turn);
        Some(self.next_turn())
    }

    /// The call runs long: give its turn back and return the wait for a
    /// turn of the plugin threads.
    pub fn move_on(&self) -> NextTurn {
        let turn = {
            let mut held = self.lock();
            held.moved = true;
            held.turn.take()
        };
        drop(turn);
        // Suspend the call once even when a turn there is free at once: the
        // suspension is where it moves to the plugin threads, and it must
        // not run on here without a turn meanwhile.
        let seat = self.clone();
        Box::pin(async move {
            tokio::task::yield_now().await;
            seat.sit().await;
        })
    }

    /// Whether the call moved to the plugin threads' turns.
    pub fn has_moved(&self) -> bool {
        self.lock().moved
    }

    /// Give the turn back: the call ended.
    pub fn stand(&self) {
        let turn = self.lock().turn.take();
        drop(turn);
    }

    fn next_turn(&self) -> NextTurn {
        let seat = self.clone();
        Box::pin(async move { seat.sit().await })
    }

    fn turns(&self) -> Arc<Turns> {
        if self.lock().moved {
            self.long.clone()
        } else {
            self.here.clone()
        }
    }

    fn lock(&self) -> MutexGuard<'_, Held> {
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn party(name: &str) -> Arc<str> {
        name.into()
    }

    #[tokio::test]
    async fn one_party_holds_at_most_its_share_of_the_turns() {
        let turns = Turns::new(2, 1);
        let _a = turns.take(&party("a")).await;
        let a = party("a");
        let second = tokio::time::timeout(Duration::from_millis(20), turns.take(&a));
        assert!(second.await.is_err(), "a second turn for one party waits");
        let _b = tokio::time::timeout(Duration::from_millis(20), turns.take(&party("b")))
            .await
            .expect("another party runs at once");
    }

    #[tokio::test]
    async fn turns_go_round_the_parties_not_the_queue() {
        let turns = Turns::new(1, 1);
        let held = turns.take(&party("busy")).await;
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let mut waiters = Vec::new();
        for name in ["busy", "busy", "busy", "quiet"] {
            let (turns, tx) = (turns.clone(), tx.clone());
            waiters.push(tokio::spawn(async move {
                let turn = turns.take(&party(name)).await;
                tx.send(name).unwrap();
                tokio::time::sleep(Duration::from_millis(5)).await;
                drop(turn);
            }));
            // Queue them in this order.
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        drop(held);
        let first = rx.recv().await.unwrap();
        let second = rx.recv().await.unwrap();
        assert_eq!(
            (first, second),
            ("busy", "quiet"),
            "the quiet party is served right after the busy one's turn, \
             ahead of the busy party's other waiting calls"
        );
        for waiter in waiters {
            waiter.await.unwrap();
        }
        assert!(
            turns.lock().parties.is_empty(),
            "idle parties are forgotten"
        );
        assert_eq!(turns.lock().free, 1);
    }

    #[tokio::test]
    async fn a_turn_offered_to_a_call_that_gave_up_goes_to_the_next() {
        let turns = Turns::new(1, 1);
        let held = turns.take(&party("a")).await;
        let b = party("b");
        let gave_up = tokio::time::timeout(Duration::from_millis(10), turns.take(&b));
        assert!(gave_up.await.is_err());
        let next = tokio::spawn({
            let turns = turns.clone();
            async move { drop(turns.take(&party("c")).await) }
        });
        tokio::time::sleep(Duration::from_millis(5)).await;
        drop(held);
        tokio::time::timeout(Duration::from_secs(1), next)
            .await
            .expect("the turn reached the call that still waits")
            .unwrap();
        assert_eq!(turns.lock().free, 1, "no turn was lost");
    }

    #[tokio::test]
    async fn a_seat_passes_its_turn_only_when_someone_waits() {
        let turns = Turns::new(1, 1);
        let seat = Seat::new("a", &turns, &Turns::new(1, 1));
        seat.sit().await;
        assert!(seat.pass().is_none(), "nobody waits: keep running");
        let other = tokio::spawn({
            let turns = turns.clone();
            async move { drop(turns.take(&party("b")).await) }
        });
        tokio::time::sleep(Duration::from_millis(5)).await;
        let back = seat.pass().expect("someone waits: pass the turn");
        other.await.unwrap();
        back.await;
        seat.stand();
        assert_eq!(turns.lock().free, 1);
    }

    #[tokio::test]
    async fn a_call_that_moves_on_frees_its_turn_for_its_tenants_short_calls() {
        let (here, long) = (Turns::new(1, 1), Turns::new(1, 1));
        let seat = Seat::new("a", &here, &long);
        seat.sit().await;
        seat.move_on().await;
        let a = party("a");
        tokio::time::timeout(Duration::from_millis(20), here.take(&a))
            .await
            .expect("the tenant's next short call runs at once");
        assert_eq!(long.lock().free, 0, "the long call holds a long turn");
        seat.stand();
        assert_eq!(long.lock().free, 1);
    }
}
