//! A resolved ticket closes itself after a number of business days unless
//! the customer reopens it (DOMAIN it-support workflow).

use aftersale_sdk::period;
use aftersale_sdk::prelude::*;

use crate::config::Config;
use crate::manifest::{CLOSE, RESOLVED};

/// The timer that closes a resolved ticket.
pub const AUTO_CLOSE: &str = "auto_close";

/// The ticket is being resolved: schedule its closing.
pub fn schedule(snapshot: &Snapshot, config: &Config) -> Result<Vec<Effect>, Rejection> {
    let days = config.auto_close_business_days;
    if days == 0 {
        return Ok(Vec::new());
    }
    let at = period::end_after_weekdays(snapshot.now, days, &snapshot.time_zone)?;
    Ok(vec![Effect::schedule_timer(
        AUTO_CLOSE,
        at,
        json!({"business_days": days}),
    )])
}

/// The ticket leaves `resolved` (reopened, or closed by hand): the pending
/// closing is void.
pub fn cancel() -> Effect {
    Effect::cancel_timer(AUTO_CLOSE)
}

/// The closing came due: close the ticket if it is still resolved.
pub fn on_due(snapshot: &Snapshot) -> Vec<Effect> {
    if snapshot.ticket.state == RESOLVED {
        vec![Effect::request_transition(CLOSE)]
    } else {
        Vec::new()
    }
}
