//! The `things` preset: `local:local/things`, a resource type the host owns
//! (`wit/things.wit`). A thing is a name; the preset records when one is
//! made, asked its name, and dropped, so a case sees from the transcript
//! who held which thing when.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use anyhow::{Context as _, Result};
use wasmtime::component::types::ComponentFunc;
use wasmtime::component::{
    Accessor, Destination, Linker, Resource, ResourceAny, ResourceType, StreamProducer, StreamReader, StreamResult,
    Val, VecBuffer,
};
use wasmtime::{AsContextMut, StoreContextMut};

use super::Ctx;

/// The host's representation of a thing: its index in `Things::names`.
pub struct Thing;

/// What the preset holds: every thing's name by rep, and the things the
/// host lent to the calls (`call.resource-args` for a `borrow<thing>`).
#[derive(Default)]
pub struct Things {
    names: Vec<String>,
    pub lent: Vec<ResourceAny>,
}

impl Things {
    fn name(&self, rep: u32) -> wasmtime::Result<String> {
        let name = self.names.get(rep as usize);
        name.cloned().ok_or_else(|| wasmtime::format_err!("things preset: no thing has rep {rep}"))
    }
}

pub fn add_to_linker(linker: &mut Linker<Ctx>) -> wasmtime::Result<()> {
    let mut root = linker.root();
    let mut things = root.instance("local:local/things")?;
    // Only a guest's drop of its own handle reaches this destructor; the
    // host's own drops are recorded by `drop_held`.
    things.resource("thing", ResourceType::host::<Thing>(), |mut store, rep| {
        let name = store.data().presets.things.name(rep)?;
        store.data_mut().record(format!("thing {name} dropped"))
    })?;
    things.func_wrap("[constructor]thing", |mut store: StoreContextMut<'_, Ctx>, (name,): (String,)| {
        Ok((make(&mut store, name)?,))
    })?;
    things.func_wrap("[method]thing.name", |mut store: StoreContextMut<'_, Ctx>, (this,): (Resource<Thing>,)| {
        let name = store.data().presets.things.name(this.rep())?;
        store.data_mut().record(format!("thing {name} name"))?;
        Ok((name,))
    })?;
    things.func_new_concurrent("[method]thing.feed", |acc, ty, params, results| {
        Box::pin(feed(acc, ty, params, results))
    })?;
    things.func_wrap("line-up", |mut store: StoreContextMut<'_, Ctx>, (count,): (u32,)| {
        let queue = (1..=count).map(|n| make(&mut store, n.to_string())).collect::<wasmtime::Result<_>>()?;
        Ok((StreamReader::new(&mut store, LineUp { queue })?,))
    })?;
    Ok(())
}

/// `[method]thing.feed`: reads the stream it is given to its end, records
/// what came (`thing NAME feed -> [...]`, `thing NAME feed -> end`) and
/// returns how many items that was.
async fn feed(acc: &Accessor<Ctx>, ty: ComponentFunc, params: &[Val], results: &mut [Val]) -> wasmtime::Result<()> {
    let ([Val::Resource(this), items], Some((_, items_ty))) = (params, ty.params().nth(1)) else {
        wasmtime::bail!("things preset: `feed` takes a thing and a stream, got {params:?}");
    };
    let mut logs = Vec::new();
    let waits = acc.with(|mut a| -> wasmtime::Result<_> {
        let rep = Resource::<Thing>::try_from_resource_any(*this, &mut a)?.rep();
        let name = a.data_mut().presets.things.name(rep)?;
        super::transmit::collect(a.as_context_mut(), &format!("thing {name} feed"), items, &items_ty, false, &mut logs)
            .map_err(|e| wasmtime::format_err!("things preset: {e:#}"))
    })?;
    for wait in waits {
        let _ = wait.await;
    }
    let mut count = 0;
    for log in logs {
        let log = log.lock().unwrap();
        count += log.items.len();
        let lines = log.lines();
        drop(log);
        acc.with(|mut a| lines.into_iter().try_for_each(|line| a.data_mut().record(line)))?;
    }
    results[0] = Val::U32(u32::try_from(count)?);
    Ok(())
}

/// `line-up`'s stream: owned things, as many per read as the reader has
/// room for, then the end. Things never taken are the host's again, and
/// dropped with the producer without a record: the reader never had them.
struct LineUp {
    queue: VecDeque<Resource<Thing>>,
}

impl StreamProducer<Ctx> for LineUp {
    type Item = Resource<Thing>;
    type Buffer = VecBuffer<Resource<Thing>>;

    fn poll_produce<'a>(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        mut store: StoreContextMut<'a, Ctx>,
        mut dst: Destination<'a, Resource<Thing>, VecBuffer<Resource<Thing>>>,
        _finish: bool,
    ) -> Poll<wasmtime::Result<StreamResult>> {
        let me = self.get_mut();
        if me.queue.is_empty() {
            return Poll::Ready(Ok(StreamResult::Dropped));
        }
        let capacity = dst.remaining(store.as_context_mut()).unwrap_or(usize::MAX);
        if capacity == 0 {
            return Poll::Ready(Ok(StreamResult::Completed));
        }
        let batch: Vec<_> = me.queue.drain(..capacity.min(me.queue.len())).collect();
        dst.set_buffer(batch.into());
        Poll::Ready(Ok(StreamResult::Completed))
    }
}

/// A new thing called `name`, owned by whoever receives the handle.
fn make(store: &mut StoreContextMut<'_, Ctx>, name: String) -> wasmtime::Result<Resource<Thing>> {
    let ctx = store.data_mut();
    let rep = u32::try_from(ctx.presets.things.names.len())?;
    ctx.record(format!("thing {name} made"))?;
    ctx.presets.things.names.push(name);
    Ok(Resource::new_own(rep))
}

/// A thing for a call's `own<thing>` or `borrow<thing>` parameter; a lent one
/// is remembered, to be dropped by `drop_lent` after the calls.
pub fn argument(mut store: impl AsContextMut<Data = Ctx>, name: &str, lend: bool) -> Result<ResourceAny> {
    let mut store = store.as_context_mut();
    let thing = make(&mut store, name.to_string()).map_err(anyhow::Error::from)?;
    let any = ResourceAny::try_from_resource(thing, &mut store).map_err(anyhow::Error::from)?;
    if lend {
        store.data_mut().presets.things.lent.push(any);
    }
    Ok(any)
}

/// The host is done with a thing it holds (one it lent, or one a call
/// returned): drop its handle and record that.
pub fn drop_held(mut store: impl AsContextMut<Data = Ctx>, any: ResourceAny) -> Result<()> {
    let mut store = store.as_context_mut();
    let rep = Resource::<Thing>::try_from_resource_any(any, &mut store)
        .map_err(anyhow::Error::from)
        .context("a returned or lent resource is not the things preset's `thing`")?
        .rep();
    let name = store.data().presets.things.name(rep).map_err(anyhow::Error::from)?;
    store.data_mut().record(format!("thing {name} dropped")).map_err(anyhow::Error::from)
}
