//! Returns without a reason for distance sales (CPL Art. 25, SAIC Order 90):
//! N1 the channel and the 7 days, N2 goods never returnable this way, N3 the
//! customer's explicit confirmation, N4 intact goods. N5 (refund due,
//! shipping) is in [`crate::workflow`] and [`crate::assess`].

use aftersale_sdk::Rejection;
use aftersale_sdk::period::{self, Period};

use crate::assess::Assessment;
use crate::claim::{Case, Remedy};
use crate::refund::{self, Unknown};

/// N1: the distance-sale channels.
const DISTANCE_CHANNELS: &[&str] = &["online", "tv", "phone", "mail"];

/// N2: goods never returnable without a reason, with why.
const NEVER_RETURNABLE: &[(&str, &str)] = &[
    ("custom_made", "custom-made goods"),
    ("perishable", "fresh or perishable goods"),
    (
        "digital_unsealed",
        "audio-visual products or software downloaded or unsealed",
    ),
    ("periodical", "delivered newspapers and periodicals"),
];

/// N4: what was found on returned goods, and whether they are still intact.
const CONDITIONS: &[(&str, bool)] = &[
    ("opened_package", true),
    ("reasonable_trial", true),
    ("serial_altered", false),
    ("labels_altered", false),
    ("cosmetic_damage", false),
    ("activated", false),
];

/// The verdict on a return without a reason. Every rule is checked, so the
/// answer names every obstacle, not only the first.
pub fn assess(case: &Case) -> Result<Assessment, Rejection> {
    let claim = &case.claim;
    let mut refused: Vec<(&'static str, String)> = Vec::new();
    let mut rules = vec!["N1"];

    match claim.sale_channel.as_deref() {
        Some(channel) if DISTANCE_CHANNELS.contains(&channel) => {}
        Some(channel) => refused.push((
            "N1",
            format!("sale_channel: `{channel}` is not a distance sale (online, tv, phone, mail)"),
        )),
        None => refused.push(("N1", "sale_channel: not recorded".into())),
    }
    match case.facts.attributes.date("delivered_at", case.zone())? {
        None => refused.push(("N1", "delivered_at: not recorded".into())),
        Some(delivered) => {
            // T1: counted from the day after the delivery was signed for,
            // 168 hours from 00:00 of that day (T2).
            if !period::within(delivered, Period::Days(7), case.asked_at()?, case.zone())? {
                let last = period::last_day(delivered, Period::Days(7))?;
                refused.push((
                    "N1",
                    format!(
                        "asked after the 7 days from delivery on {delivered} ended ({last} 24:00)"
                    ),
                ));
            }
        }
    }
    if let Some(class) = claim.goods_class.as_deref()
        && let Some((_, what)) = NEVER_RETURNABLE.iter().find(|(c, _)| *c == class)
    {
        refused.push((
            "N2",
            format!("goods_class: {what} are never returnable without a reason"),
        ));
    }
    if claim.confirmed_non_returnable == Some(true) {
        if claim.non_returnable_pre_ticked == Some(true) {
            // A box ticked in advance is not the customer's confirmation.
            rules.push("N3");
        } else {
            refused.push((
                "N3",
                "confirmed_non_returnable: the customer confirmed at purchase that the goods \
                 are not returnable"
                    .into(),
            ));
        }
    }
    let (kept_intact, damage) = condition(case);
    if claim.intact == Some(false) || !damage.is_empty() {
        let mut found = damage;
        if found.is_empty() {
            found.push("intact: false".into());
        }
        refused.extend(found.into_iter().map(|d| ("N4", d)));
    } else if kept_intact {
        rules.push("N4");
    }

    if !refused.is_empty() {
        let mut deciding: Vec<&'static str> = Vec::new();
        for (rule, _) in &refused {
            if !deciding.contains(rule) {
                deciding.push(rule);
            }
        }
        let details: Vec<String> = refused.into_iter().map(|(_, d)| d).collect();
        let reason = format!(
            "no return without a reason ({}): {}",
            deciding.join(", "),
            details.join("; ")
        );
        return Ok(Assessment::refusing(deciding, reason, details));
    }
    let mut reason = "return without a reason within 7 days of delivery: the price is refunded; \
                      the customer pays the return shipping"
        .to_string();
    if claim.intact.is_none() {
        reason.push_str("; the goods must arrive intact (N4)");
    }
    let mut assessment = Assessment::allowing(vec![Remedy::Return], rules, reason);
    match refund::full(case)? {
        Ok(amount) => assessment.refund = Some(amount),
        Err(Unknown(missing)) => assessment.details.push(format!("{missing}: not recorded")),
    }
    Ok(assessment)
}

/// N4: whether opening or a trial was found (which keep the goods intact)
/// and each finding that means they are not.
fn condition(case: &Case) -> (bool, Vec<String>) {
    let mut kept_intact = false;
    let mut damage = Vec::new();
    for issue in &case.claim.condition_issues {
        match CONDITIONS.iter().find(|(name, _)| name == issue) {
            Some((_, true)) => kept_intact = true,
            Some((_, false)) => damage.push(format!("condition_issues: {issue}")),
            None => damage.push(format!("condition_issues: {issue} (unknown)")),
        }
    }
    (kept_intact, damage)
}

/// N4 for the refund itself: the returned goods must have been found
/// intact. Returns every problem.
pub fn intact_problems(case: &Case) -> Vec<String> {
    let (_, mut problems) = condition(case);
    match case.claim.intact {
        Some(true) => {}
        Some(false) => problems.push("intact: false".into()),
        None => problems.push("intact: not recorded".into()),
    }
    problems
}
