//! The clock the host presets sleep on (`delay-ms`), one per case.
//!
//! With `[host] clock = "virtual"` (the default) a case's clock reads real
//! time plus everything it has skipped. When the case has nothing left to
//! do but wait, the clock skips ahead to the earliest pending sleep and
//! ends it. So a 200 ms delay costs no wall time, and sleeps end in the
//! order of their deadlines however loaded the machine is: every call that
//! can run before a sleep ends has run, because the skip happens only once
//! nothing can run.
//!
//! "Nothing can run" is two facts together. Tokio is about to park the
//! case's thread (its `on_thread_park` hook), which it does only when no
//! task is queued; and the case's own future (wasmtime's event loop, the
//! guests' work with it) returned `Pending` without being woken since.
//! Either alone is not enough: tokio calls the hook even when the `block_on`
//! future woke itself (a guest that yields does that), and the future alone
//! does not know about tasks spawned onto the runtime.
//!
//! Why not tokio's paused clock (`start_paused`): it never runs while
//! anything is runnable, so a guest that polls in a loop until a host call
//! ends would spin forever; here the clock still runs at least as fast as
//! real time. It would also move tokio's timers, and the case's time limit
//! (`tokio::time::timeout` in `exec`) must stay on real time, which it does:
//! tokio's own clock is never touched.
//!
//! A host preset waiting on another thread (none does today) would not count
//! as runnable: the clock could skip ahead while it works.

use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use case_format::Clock as Kind;

/// One case's clock; clones share it.
#[derive(Clone)]
pub struct Clock(Arc<Inner>);

struct Inner {
    kind: Kind,
    started: Instant,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Time skipped so far: the clock reads `started.elapsed() + skipped`.
    skipped: Duration,
    /// Pending sleeps by (deadline, id), with whom to wake.
    sleepers: BTreeMap<(Duration, u64), Waker>,
    next_id: u64,
    /// The case's future returned `Pending` and nothing has woken it since.
    waiting: bool,
    /// Wake-ups of the case's future, to tell one during its poll.
    wakes: u64,
    /// Sleeps on the real clock still running: the case is not settled.
    real_sleeps: u32,
    /// Who waits in `settled`, and whether the case has settled since.
    settle: Option<Waker>,
    settled: bool,
}

impl Clock {
    pub fn new(kind: Kind) -> Clock {
        Clock(Arc::new(Inner { kind, started: Instant::now(), state: Mutex::default() }))
    }

    /// How much time the clock has skipped: the wall time its sleeps saved.
    pub fn skipped(&self) -> Duration {
        self.0.lock().skipped
    }

    /// Sleep `delay` on this clock. Zero still yields once to the event loop.
    pub async fn sleep(&self, delay: Duration) {
        if delay.is_zero() {
            tokio::task::yield_now().await;
            return;
        }
        match self.0.kind {
            Kind::Real => {
                let _running = RealSleep::start(&self.0);
                tokio::time::sleep(delay).await;
            }
            Kind::Virtual => {
                let (deadline, id) = {
                    let mut state = self.0.lock();
                    state.next_id += 1;
                    (self.0.now(&state) + delay, state.next_id)
                };
                let real = Box::pin(tokio::time::sleep(delay));
                Sleep { clock: Arc::clone(&self.0), deadline, id, real }.await;
            }
        }
    }

    /// Run `work` (the case) so that the clock can tell when it waits.
    pub fn drive<F: Future>(&self, work: F) -> impl Future<Output = F::Output> {
        Drive { clock: Arc::clone(&self.0), work: Box::pin(work) }
    }

    /// Resolves once the case has settled: nothing can run and no sleep is
    /// pending, so nothing will ever happen again without the host. Await
    /// it only inside `drive`.
    pub fn settled(&self) -> impl Future<Output = ()> + use<> {
        let clock = Arc::clone(&self.0);
        std::future::poll_fn(move |cx| {
            let mut state = clock.lock();
            if std::mem::take(&mut state.settled) {
                return Poll::Ready(());
            }
            state.settle = Some(cx.waker().clone());
            Poll::Pending
        })
    }

    /// For the runtime's `on_thread_park` hook: no task is queued. If the
    /// case is waiting too, skip to the earliest sleep and end it (and any
    /// others due by then); with no sleep pending, it has settled.
    pub fn on_park(&self) {
        let due: Vec<Waker> = {
            let mut state = self.0.lock();
            if !state.waiting {
                return;
            }
            let Some(&(deadline, _)) = state.sleepers.keys().next() else {
                if state.real_sleeps == 0
                    && let Some(settle) = state.settle.take()
                {
                    state.settled = true;
                    drop(state);
                    settle.wake();
                }
                return;
            };
            let now = self.0.now(&state);
            state.skipped += deadline.saturating_sub(now);
            let now = self.0.now(&state);
            let later = state.sleepers.split_off(&(now, u64::MAX));
            std::mem::replace(&mut state.sleepers, later).into_values().collect()
        };
        due.into_iter().for_each(Waker::wake);
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        // The state stays consistent across a panic: every update is one step.
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn now(&self, state: &State) -> Duration {
        self.started.elapsed() + state.skipped
    }
}

/// A sleep on the virtual clock. It also keeps a real timer, moved earlier
/// as the clock skips, so that it ends on time while the case is busy.
struct Sleep {
    clock: Arc<Inner>,
    deadline: Duration,
    id: u64,
    real: Pin<Box<tokio::time::Sleep>>,
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let (key, clock) = ((self.deadline, self.id), Arc::clone(&self.clock));
        let mut state = clock.lock();
        if clock.now(&state) >= self.deadline {
            state.sleepers.remove(&key);
            return Poll::Ready(());
        }
        state.sleepers.insert(key, cx.waker().clone());
        let real_deadline = clock.started + self.deadline.saturating_sub(state.skipped);
        drop(state);
        self.real.as_mut().reset(real_deadline.into());
        if self.real.as_mut().poll(cx).is_ready() {
            clock.lock().sleepers.remove(&key);
            return Poll::Ready(());
        }
        Poll::Pending
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        // A cancelled call's sleep must not make the clock skip to it.
        self.clock.lock().sleepers.remove(&(self.deadline, self.id));
    }
}

/// A running sleep on the real clock, counted while it lasts.
struct RealSleep(Arc<Inner>);

impl RealSleep {
    fn start(clock: &Arc<Inner>) -> RealSleep {
        clock.lock().real_sleeps += 1;
        RealSleep(Arc::clone(clock))
    }
}

impl Drop for RealSleep {
    fn drop(&mut self) {
        self.0.lock().real_sleeps -= 1;
    }
}

/// The case's future, with a waker that tells the clock it was woken.
struct Drive<F> {
    clock: Arc<Inner>,
    work: Pin<Box<F>>,
}

struct Watch {
    clock: Arc<Inner>,
    outer: Waker,
}

impl Wake for Watch {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        {
            let mut state = self.clock.lock();
            state.wakes += 1;
            state.waiting = false;
        }
        self.outer.wake_by_ref();
    }
}

impl<F: Future> Future for Drive<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let wakes = {
            let mut state = self.clock.lock();
            state.waiting = false;
            state.wakes
        };
        let watch = Waker::from(Arc::new(Watch { clock: Arc::clone(&self.clock), outer: cx.waker().clone() }));
        let poll = self.work.as_mut().poll(&mut Context::from_waker(&watch));
        if poll.is_pending() {
            let mut state = self.clock.lock();
            state.waiting = state.wakes == wakes;
        }
        poll
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A runtime like `exec`'s: the clock hears when the thread would park,
    /// and a real-time limit stops a clock that does not skip.
    fn run<F: Future>(clock: &Clock, work: F) -> F::Output {
        let on_park = clock.clone();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .on_thread_park(move || on_park.on_park())
            .build()
            .unwrap();
        let limited = async { tokio::time::timeout(Duration::from_secs(5), clock.drive(work)).await };
        rt.block_on(limited).expect("the work did not finish within 5 s of wall time")
    }

    #[test]
    fn virtual_sleeps_cost_no_wall_time_and_end_in_deadline_order() {
        let clock = Clock::new(Kind::Virtual);
        let started = Instant::now();
        let order = Mutex::new(Vec::new());
        let sleeper = |hours: u64| {
            let (clock, order) = (&clock, &order);
            async move {
                clock.sleep(Duration::from_secs(hours * 3600)).await;
                order.lock().unwrap().push(hours);
            }
        };
        run(&clock, async { futures::join!(sleeper(3), sleeper(1), sleeper(2)) });
        assert_eq!(*order.lock().unwrap(), [1, 2, 3]);
        assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
        assert!(clock.skipped() >= Duration::from_secs(3 * 3600 - 1), "skipped {:?}", clock.skipped());
    }

    /// A case that keeps working (here: yielding in a loop) is never idle,
    /// yet its sleep still ends, in real time.
    #[test]
    fn a_busy_case_still_sees_its_sleep_end() {
        let clock = Clock::new(Kind::Virtual);
        let done = std::sync::atomic::AtomicBool::new(false);
        let started = Instant::now();
        run(&clock, async {
            let spin = async {
                while !done.load(std::sync::atomic::Ordering::Relaxed) {
                    tokio::task::yield_now().await;
                }
            };
            let sleep = async {
                clock.sleep(Duration::from_millis(30)).await;
                done.store(true, std::sync::atomic::Ordering::Relaxed);
            };
            futures::join!(spin, sleep)
        });
        assert!(started.elapsed() >= Duration::from_millis(30));
        assert!(clock.skipped() < Duration::from_millis(30), "skipped {:?} while busy", clock.skipped());
    }

    /// `settled` waits out the sleeps, then ends once nothing can run.
    #[test]
    fn a_case_settles_after_its_last_sleep() {
        for kind in [Kind::Virtual, Kind::Real] {
            let clock = Clock::new(kind);
            let slept = std::sync::atomic::AtomicBool::new(false);
            run(&clock, async {
                let sleep = async {
                    clock.sleep(Duration::from_millis(20)).await;
                    slept.store(true, std::sync::atomic::Ordering::Relaxed);
                };
                futures::join!(sleep, clock.settled())
            });
            assert!(slept.load(std::sync::atomic::Ordering::Relaxed), "{kind:?} settled before the sleep ended");
        }
    }

    #[test]
    fn the_real_clock_waits() {
        let clock = Clock::new(Kind::Real);
        let started = Instant::now();
        run(&clock, clock.sleep(Duration::from_millis(50)));
        assert!(started.elapsed() >= Duration::from_millis(50));
        assert_eq!(clock.skipped(), Duration::ZERO);
    }
}
