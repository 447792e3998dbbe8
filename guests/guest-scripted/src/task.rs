//! One task running one script: the step interpreter. Steps that observe
//! something (a call's state, an event, a built-in's result) record it in
//! the transcript as `<script>: <what>`; handles are shown by the names the
//! script gave them, never by number.

use crate::abi::{self, RetArea};
use crate::script::{Bundle, words};

/// Why a cancellable step fails in `guest-scripted-no-cancellable`.
#[cfg(feature = "no-cancellable")]
const NO_CANCELLABLE: &str =
    "this build has no cancellable built-ins (component-model PR #716 removed them; the jco host runs it)";

/// Which export the task runs: `task.return` is per function.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Export {
    Run,
    RunWithStream,
    RunWithFuture,
    /// `local:local/scripted-stackful#run` (guest-scripted-more).
    #[cfg_attr(not(feature = "more"), allow(dead_code))]
    Stackful,
}

/// How the running export was lifted.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Lift {
    /// `async` with a callback: steps may hand control back to the event loop.
    Callback,
    /// Sync: the export returns when the script ends.
    Sync,
    /// Async without a callback: the script runs in one call and may block.
    #[cfg_attr(not(feature = "more"), allow(dead_code))]
    Stackful,
}

/// What a step asks of the interpreter.
pub(crate) enum Flow {
    Next,
    /// Return this code from the async entry or callback.
    Code(u32),
}

/// A lowered call whose subtask has not finished: the memory it may still
/// read (the argument) or write (the result).
pub(crate) struct Pending {
    pub(crate) handle: u32,
    pub(crate) _arg: Vec<u8>,
    pub(crate) ret: Box<RetArea>,
}

/// A stream or future copy in flight: the buffer it reads from or writes to.
pub(crate) struct Copy {
    pub(crate) end: u32,
    /// Stream items, or a future's string value.
    pub(crate) bytes: Vec<u8>,
    /// A future's value as the canonical ABI lays it out: (pointer, length).
    pub(crate) area: Box<RetArea>,
    /// Whether data flows into `bytes`/`area` (a read).
    pub(crate) read: bool,
    pub(crate) future: bool,
}

/// The instance's handles by the names scripts gave them, and the memory of
/// calls in flight. One per instance, like the canonical ABI's handle
/// table, so a handle one task made can be used by another.
#[derive(Default)]
pub(crate) struct Handles {
    /// Latest first: the canonical ABI reuses numbers.
    names: Vec<(String, u32)>,
    pub(crate) pending: Vec<Pending>,
    pub(crate) copies: Vec<Copy>,
    /// Stream and future ends this instance was given as parameters: they
    /// are typed by the export's function, the others by the import's.
    pub(crate) given: Vec<u32>,
}

thread_local! {
    static HANDLES: std::cell::RefCell<Handles> = std::cell::RefCell::default();
}

pub(crate) fn handles<R>(f: impl FnOnce(&mut Handles) -> R) -> R {
    HANDLES.with(|h| f(&mut h.borrow_mut()))
}

pub struct Task {
    bundle: Bundle,
    steps: Vec<String>,
    pc: usize,
    lift: Lift,
    export: Export,
    /// `context.get` as the task started, before this guest used the slot.
    initial_context: u32,
    /// The sync lift's return value, set by `return`.
    pub result: Option<String>,
    /// `callback-poll-until` handed back YIELD: a NONE event in the next
    /// callback is not recorded, since how many yields it takes is timing.
    quiet_none: bool,
}

fn record(text: &str) {
    crate::local::local::transcript::record(text);
}

/// A word as a step writes it: quoted when it holds spaces.
fn quote(word: &str) -> String {
    if word.is_empty() || word.contains(char::is_whitespace) { format!("'{word}'") } else { word.to_string() }
}

fn trap() -> ! {
    core::arch::wasm32::unreachable()
}

impl Task {
    pub fn new(bundle: String, lift: Lift, export: Export, initial_context: u32) -> Task {
        let bundle = Bundle::parse(bundle);
        let steps = bundle.steps();
        Task { bundle, steps, pc: 0, lift, export, initial_context, result: None, quiet_none: false }
    }

    /// Name a stream or future end this task was given as its parameter.
    pub fn given(&mut self, end: u32) {
        self.name("input", end);
        handles(|h| h.given.push(end));
    }

    pub(crate) fn record(&self, text: &str) {
        record(&format!("{}: {text}", self.bundle.run));
    }

    /// Record a broken step and trap: the harness validated the script, so
    /// this is a bug in the harness or in this guest.
    pub(crate) fn fail(&self, what: &str) -> ! {
        self.record(&format!("error: {what}"));
        trap()
    }

    pub(crate) fn handle(&self, name: &str) -> u32 {
        match handles(|h| h.names.iter().find(|(n, _)| n == name).map(|(_, h)| *h)) {
            Some(h) => h,
            None => self.fail(&format!("no handle named `{name}`")),
        }
    }

    fn name_of(&self, handle: u32) -> String {
        handles(|h| h.names.iter().find(|(_, h)| *h == handle).map(|(n, _)| n.clone()))
            .unwrap_or_else(|| format!("#{handle}"))
    }

    pub(crate) fn name(&mut self, name: &str, handle: u32) {
        handles(|h| {
            h.names.retain(|(n, _)| n != name);
            h.names.insert(0, (name.to_string(), handle));
        });
    }

    /// A subtask reached `state`: its result, if it returned, shown after it.
    pub(crate) fn settle(&mut self, handle: u32, state: u32) -> String {
        let mut shown = abi::state_name(state);
        let done = if state >= abi::RETURNED {
            handles(|h| h.pending.iter().position(|p| p.handle == handle).map(|i| h.pending.remove(i)))
        } else {
            None
        };
        if let Some(done) = done
            && state == abi::RETURNED
        {
            // SAFETY: the callee returned, so the lift wrote the result.
            let result = unsafe { abi::take_string(&done.ret) };
            shown.push_str(&format!(" {result:?}"));
        }
        shown
    }

    /// An event as the transcript shows it.
    pub fn event(&mut self, event: u32, p1: u32, p2: u32) -> String {
        match event {
            abi::EVENT_SUBTASK => format!("SUBTASK {} {}", self.name_of(p1), self.settle(p1, p2)),
            0 | 6 => abi::event_name(event),
            2..=5 => format!("{} {} {}", abi::event_name(event), self.name_of(p1), self.finish_copy(p1, p2)),
            other => format!("{} {} {p2:#x}", abi::event_name(other), self.name_of(p1)),
        }
    }

    /// Run steps until one hands control back (`Some(code)`) or the script
    /// ends (`None`).
    pub fn run(&mut self) -> Option<u32> {
        while self.pc < self.steps.len() {
            let step = self.steps[self.pc].clone();
            self.pc += 1;
            if let Flow::Code(code) = self.step(&step) {
                if self.lift != Lift::Callback {
                    self.fail(&format!(
                        "`{step}` hands control to an event loop, which only a callback-lifted task has"
                    ));
                }
                return Some(code);
            }
        }
        None
    }

    /// Record the event a callback was called with.
    pub fn callback(&mut self, event: u32, p1: u32, p2: u32) {
        if std::mem::take(&mut self.quiet_none) {
            if event == 0 {
                return;
            }
            // Anything else (a cancel) ends the polling.
            self.pc += 1;
        }
        let shown = self.event(event, p1, p2);
        self.record(&format!("callback -> {shown}"));
    }

    pub(crate) fn step(&mut self, step: &str) -> Flow {
        let w = words(step);
        let arg = |i: usize| w.get(i).map_or("", String::as_str);
        #[cfg(feature = "more")]
        if self.more_step(arg(0), &w[1..]).is_some() {
            return Flow::Next;
        }
        match arg(0) {
            "record" => self.record(&w[1..].join(" ")),
            "repeat" => {
                let times: u32 = arg(1).parse().unwrap_or_else(|_| self.fail("`repeat` takes a number"));
                let inner = w[2..].iter().map(|word| quote(word)).collect::<Vec<_>>().join(" ");
                for _ in 0..times {
                    if let Flow::Code(_) = self.step(&inner) {
                        self.fail("`repeat` cannot repeat a step that hands control back");
                    }
                }
            }
            "call-async" => self.call_async(arg(1), arg(2), arg(4)),
            "call-sync" => self.call_sync(arg(1), arg(2)),
            "set-new" => {
                // SAFETY: built-ins without memory arguments.
                let set = unsafe { abi::waitable_set_new() };
                self.name(arg(1), set);
            }
            "join" => unsafe { abi::waitable_join(self.handle(arg(1)), self.handle(arg(2))) },
            "unjoin" => unsafe { abi::waitable_join(self.handle(arg(1)), 0) },
            "set-drop" => unsafe { abi::waitable_set_drop(self.handle(arg(1))) },
            op @ ("wait" | "wait-cancellable" | "poll" | "poll-cancellable") => {
                let set = self.handle(arg(1));
                let mut payload = [0u32; 2];
                // SAFETY: `payload` is the 8 bytes the built-in writes.
                let event = unsafe {
                    match op {
                        "wait" => abi::waitable_set_wait(set, &mut payload),
                        "poll" => abi::waitable_set_poll(set, &mut payload),
                        #[cfg(not(feature = "no-cancellable"))]
                        "wait-cancellable" => abi::waitable_set_wait_cancellable(set, &mut payload),
                        #[cfg(not(feature = "no-cancellable"))]
                        _ => abi::waitable_set_poll_cancellable(set, &mut payload),
                        #[cfg(feature = "no-cancellable")]
                        _ => self.fail(NO_CANCELLABLE),
                    }
                };
                let shown = self.event(event, payload[0], payload[1]);
                self.record(&format!("{op} {} -> {shown}", arg(1)));
            }
            op @ ("poll-until" | "callback-poll-until") => {
                let set = self.handle(arg(1));
                let mut payload = [0u32; 2];
                loop {
                    // SAFETY: `payload` is the 8 bytes the built-in writes.
                    let event = unsafe { abi::waitable_set_poll(set, &mut payload) };
                    if event != 0 {
                        let shown = self.event(event, payload[0], payload[1]);
                        self.record(&format!("{op} {} -> {shown}", arg(1)));
                        break;
                    }
                    if op == "callback-poll-until" {
                        // Take this step again after the yield.
                        self.pc -= 1;
                        self.quiet_none = true;
                        return Flow::Code(abi::YIELD);
                    }
                    // SAFETY: a built-in without arguments.
                    unsafe { abi::thread_yield() };
                }
            }
            "cancel" => {
                let subtask = self.handle(arg(1));
                let state = unsafe { abi::subtask_cancel(subtask) };
                let shown = self.settle(subtask, state);
                self.record(&format!("cancel {} -> {shown}", arg(1)));
            }
            "subtask-drop" => unsafe { abi::subtask_drop(self.handle(arg(1))) },
            op @ ("yield" | "yield-cancellable" | "yield-until-cancelled") => {
                let cancelled = loop {
                    #[cfg(not(feature = "no-cancellable"))]
                    let c =
                        unsafe { if op == "yield" { abi::thread_yield() } else { abi::thread_yield_cancellable() } };
                    #[cfg(feature = "no-cancellable")]
                    let c = if op == "yield" { unsafe { abi::thread_yield() } } else { self.fail(NO_CANCELLABLE) };
                    if c != 0 || op != "yield-until-cancelled" {
                        break c;
                    }
                };
                self.record(&format!("{op} -> {cancelled}"));
            }
            "backpressure-inc" => unsafe { abi::backpressure_inc() },
            "backpressure-dec" => unsafe { abi::backpressure_dec() },
            "return" => self.task_return(arg(1)),
            "task-cancel" => unsafe { abi::task_cancel() },
            "context" => {
                let value: u32 = arg(1).parse().unwrap_or_else(|_| self.fail("`context` takes a number"));
                // Slot 0 holds this guest's task state between callbacks:
                // set, read back, and restore it within the step.
                let got = unsafe {
                    let saved = abi::context_get();
                    abi::context_set(value);
                    let got = abi::context_get();
                    abi::context_set(saved);
                    got
                };
                self.record(&format!("context -> {got}"));
            }
            "context-initial" => self.record(&format!("context-initial -> {}", self.initial_context)),
            "trap" => trap(),
            "callback-wait" => return Flow::Code(abi::WAIT | (self.handle(arg(1)) << 4)),
            "callback-yield" => return Flow::Code(abi::YIELD),
            "callback-code" => {
                return Flow::Code(arg(1).parse().unwrap_or_else(|_| self.fail("`callback-code` takes a number")));
            }
            "exit" => {
                self.pc = self.steps.len();
                if self.lift == Lift::Callback {
                    return Flow::Code(abi::EXIT);
                }
            }
            op if op.starts_with("stream-") || op.starts_with("future-") || op.contains("-with-") => {
                self.copy_step(op, &w[1..]);
            }
            other => self.fail(&format!("unknown step `{other}` (gated steps need guest-scripted-more)")),
        }
        Flow::Next
    }

    /// The argument a call passes: the bundle for another scripted guest,
    /// the text itself for `foo`.
    pub(crate) fn argument(&self, function: &str, arg: &str) -> Vec<u8> {
        match function {
            "run" | "run-sync" | "run-lifted-sync" => self.bundle.for_script(arg).into_bytes(),
            _ => arg.as_bytes().to_vec(),
        }
    }

    fn call_async(&mut self, function: &str, arg: &str, name: &str) {
        let bytes = self.argument(function, arg);
        let mut ret = Box::new([0usize; 2]);
        // SAFETY: `bytes` and `ret` live in `pending` until the subtask ends.
        let code = unsafe {
            match function {
                "run" => abi::run_async(bytes.as_ptr(), bytes.len(), &mut *ret),
                "run-lifted-sync" => abi::run_lifted_sync_async(bytes.as_ptr(), bytes.len(), &mut *ret),
                "foo" => abi::foo_async(bytes.as_ptr(), bytes.len(), &mut *ret),
                other => self.fail(&format!("`{other}` cannot be called async")),
            }
        };
        self.started(code, bytes, ret, &format!("call-async {function}({arg})"), name);
    }

    /// What an async lower returned: name the subtask, keep its memory until
    /// it ends, record the state (and the result if it returned at once).
    pub(crate) fn started(&mut self, code: u32, arg: Vec<u8>, ret: Box<RetArea>, call: &str, name: &str) {
        let (state, handle) = (code & 0xf, code >> 4);
        if handle != 0 {
            self.name(name, handle);
        }
        handles(|h| h.pending.push(Pending { handle, _arg: arg, ret }));
        let shown = self.settle(handle, state);
        self.record(&format!("{call} -> {shown}"));
    }

    fn call_sync(&mut self, function: &str, arg: &str) {
        let bytes = self.argument(function, arg);
        let mut ret = [0usize; 2];
        // SAFETY: a sync call reads its argument and writes its result
        // before it returns.
        let result = unsafe {
            match function {
                "run" => abi::run_sync_lowered(bytes.as_ptr(), bytes.len(), &mut ret),
                "run-sync" => abi::run_sync(bytes.as_ptr(), bytes.len(), &mut ret),
                "run-lifted-sync" => abi::run_lifted_sync(bytes.as_ptr(), bytes.len(), &mut ret),
                "foo" => abi::foo_sync(bytes.as_ptr(), bytes.len(), &mut ret),
                other => self.fail(&format!("`{other}` cannot be called")),
            }
            abi::take_string(&ret)
        };
        self.record(&format!("call-sync {function}({arg}) -> {result:?}"));
    }

    fn task_return(&mut self, text: &str) {
        // SAFETY: the value is lifted (copied) during the call.
        unsafe {
            match (self.lift, self.export) {
                (Lift::Sync, _) => self.result = Some(text.to_string()),
                (Lift::Callback, Export::Run) => abi::task_return_run(text.as_ptr(), text.len()),
                (Lift::Callback, Export::RunWithStream) => abi::task_return_run_with_stream(text.as_ptr(), text.len()),
                (Lift::Callback, Export::RunWithFuture) => abi::task_return_run_with_future(text.as_ptr(), text.len()),
                #[cfg(feature = "more")]
                (_, Export::Stackful) => crate::more::task_return_stackful(text.as_ptr(), text.len()),
                #[cfg(not(feature = "more"))]
                (_, Export::Stackful) => self.fail("the stackful export is in guest-scripted-more only"),
                (Lift::Stackful, _) => self.fail("a stackful task runs only the stackful export"),
            }
        }
    }
}
