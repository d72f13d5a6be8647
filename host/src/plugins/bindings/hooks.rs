//! Calling one hook of a fresh instance.
//!
//! The generated bindings look up and type-check every hook of the world each
//! time a component is instantiated, which is every call; a call uses one of
//! them. Here each hook's export is found once per component, and a call
//! type-checks only the hook it calls. The generated bindings still check all
//! of them once, when the component is loaded.

use aftersale_sdk as c;
use wasmtime::Store;
use wasmtime::component::{ComponentExportIndex, ComponentNamedList, InstancePre, Lift, Lower};

use super::since_v1_0_0::aftersale::plugin::types as w;
use super::since_v1_2_0::Context;
use super::size::TextSize;
use super::{HookError, Measured};
use crate::plugins::error::Failure;
use crate::plugins::sandbox::CallState;

/// Where the hooks of a 1.x `hooks` interface are in one component.
pub struct Hooks {
    pub manifest: ComponentExportIndex,
    pub on_create: ComponentExportIndex,
    pub guard: ComponentExportIndex,
    pub after: ComponentExportIndex,
    pub on_timer: ComponentExportIndex,
    pub action: ComponentExportIndex,
}

impl Hooks {
    /// Find the hooks of `interface`, e.g. `aftersale:plugin/hooks@1.0.0`.
    pub fn find(pre: &InstancePre<CallState>, interface: &str) -> wasmtime::Result<Self> {
        let component = pre.component();
        let hooks = component
            .get_export_index(None, interface)
            .ok_or_else(|| wasmtime::format_err!("the component does not export `{interface}`"))?;
        let hook = |name: &str| {
            component
                .get_export_index(Some(&hooks), name)
                .ok_or_else(|| wasmtime::format_err!("`{interface}` has no `{name}`"))
        };
        Ok(Hooks {
            manifest: hook("manifest")?,
            on_create: hook("on-create")?,
            guard: hook("guard")?,
            after: hook("after")?,
            on_timer: hook("on-timer")?,
            action: hook("action")?,
        })
    }
}

/// Instantiate `pre` in `store` and call the function at `export`.
pub(super) async fn call<P, R>(
    pre: &InstancePre<CallState>,
    store: &mut Store<CallState>,
    export: &ComponentExportIndex,
    params: P,
) -> Result<R, HookError>
where
    P: ComponentNamedList + Lower + Send + Sync,
    R: ComponentNamedList + Lift + Send + Sync + 'static,
{
    let instance = pre
        .instantiate_async(&mut *store)
        .await
        .map_err(HookError::Instantiate)?;
    let func = instance
        .get_typed_func::<P, R>(&mut *store, export)
        .map_err(HookError::Instantiate)?;
    Ok(func.call_async(&mut *store, params).await?)
}

/// The hooks every 1.x contract version shares, ready to call. The versions
/// share the Rust types of `types` too (later versions map them onto 1.0.0's
/// with `with`), so one implementation serves them all.
pub struct HookCalls {
    pre: InstancePre<CallState>,
    hooks: Hooks,
}

impl HookCalls {
    pub fn new(pre: InstancePre<CallState>, interface: &str) -> wasmtime::Result<Self> {
        let hooks = Hooks::find(&pre, interface)?;
        Ok(HookCalls { pre, hooks })
    }

    /// The component, for hooks outside the shared interface.
    pub fn pre(&self) -> &InstancePre<CallState> {
        &self.pre
    }

    pub async fn manifest(
        &self,
        store: &mut Store<CallState>,
    ) -> Result<Measured<c::Manifest>, HookError> {
        let (m,): (w::PluginManifest,) = call(&self.pre, store, &self.hooks.manifest, ()).await?;
        lift(m, c::Manifest::try_from)
    }

    pub async fn on_create(
        &self,
        store: &mut Store<CallState>,
        snapshot: &c::Snapshot,
        input_limit: usize,
    ) -> Result<Measured<c::Decision>, HookError> {
        let s = guest_snapshot(store, snapshot, input_limit)?;
        let (out,): (Verdict,) = call(&self.pre, store, &self.hooks.on_create, (&s,)).await?;
        lift(out, decision)
    }

    pub async fn guard(
        &self,
        store: &mut Store<CallState>,
        snapshot: &c::Snapshot,
        transition: &c::TransitionRequest,
        input_limit: usize,
    ) -> Result<Measured<c::Decision>, HookError> {
        let s = guest_snapshot(store, snapshot, input_limit)?;
        let t = w::TransitionRequest::from(transition);
        let (out,): (Verdict,) = call(&self.pre, store, &self.hooks.guard, (&s, &t)).await?;
        lift(out, decision)
    }

    pub async fn after(
        &self,
        store: &mut Store<CallState>,
        snapshot: &c::Snapshot,
        event: &c::Event,
        input_limit: usize,
    ) -> Result<Measured<Vec<c::Effect>>, HookError> {
        let s = guest_snapshot(store, snapshot, input_limit)?;
        let e = w::Event::from(event);
        let (out,): (Vec<w::Effect>,) = call(&self.pre, store, &self.hooks.after, (&s, &e)).await?;
        lift(out, effects)
    }

    pub async fn on_timer(
        &self,
        store: &mut Store<CallState>,
        snapshot: &c::Snapshot,
        timer: &c::FiredTimer,
        input_limit: usize,
    ) -> Result<Measured<Vec<c::Effect>>, HookError> {
        let s = guest_snapshot(store, snapshot, input_limit)?;
        let t = w::FiredTimer::from(timer);
        let (out,): (Vec<w::Effect>,) =
            call(&self.pre, store, &self.hooks.on_timer, (&s, &t)).await?;
        lift(out, effects)
    }

    pub async fn action(
        &self,
        store: &mut Store<CallState>,
        snapshot: &c::Snapshot,
        name: &str,
        input: &c::Json,
        input_limit: usize,
    ) -> Result<Measured<Result<c::ActionOutput, c::Rejection>>, HookError> {
        let s = guest_snapshot(store, snapshot, input_limit)?;
        let (out,): (Result<w::ActionOutput, w::Rejection>,) = call(
            &self.pre,
            store,
            &self.hooks.action,
            (&s, name, input.as_text()),
        )
        .await?;
        lift(out, |out| match out {
            Ok(out) => Ok(Ok(out.try_into()?)),
            Err(rejection) => Ok(Err(rejection.try_into()?)),
        })
    }
}

/// What `on-create` and `guard` answer: effects, or a rejection.
type Verdict = Result<Vec<w::Effect>, w::Rejection>;

/// The snapshot as the guest receives it, with what `context` (1.2.0)
/// answers during the call put in `store`; refused, before any instance is
/// made, when the two carry more than `limit` bytes of text.
pub(super) fn guest_snapshot(
    store: &mut Store<CallState>,
    s: &c::Snapshot,
    limit: usize,
) -> Result<w::Snapshot, HookError> {
    let snapshot = w::Snapshot::from(s);
    let context = Context::of(s);
    let size = snapshot.text_size() + context.text_size();
    if size > limit {
        return Err(Failure::InputTooLarge { size, limit }.into());
    }
    store.data_mut().context = context;
    Ok(snapshot)
}

/// Convert a guest's answer, measuring the text it carried first.
pub(super) fn lift<W: TextSize, T>(
    answer: W,
    convert: impl FnOnce(W) -> Result<T, Failure>,
) -> Result<Measured<T>, HookError> {
    let bytes = answer.text_size();
    Ok(Measured::new(convert(answer)?, bytes))
}

pub(super) fn effects(list: Vec<w::Effect>) -> Result<Vec<c::Effect>, Failure> {
    list.into_iter().map(c::Effect::try_from).collect()
}

fn decision(verdict: Verdict) -> Result<c::Decision, Failure> {
    Ok(match verdict {
        Ok(list) => Ok(effects(list)?),
        Err(rejection) => Err(rejection.try_into()?),
    })
}
