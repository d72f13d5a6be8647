//! Periods of business days, counted the way the Civil Code counts days
//! (DOMAIN T1, T2) on top of the SDK's weekday arithmetic.

use aftersale_sdk::period;
use aftersale_sdk::{Rejection, Timestamp};

/// When a period of `days` business days that starts with an event at
/// `event` is over: 24:00, in the tenant's zone, of the `days`-th weekday
/// after the day of the event.
///
/// T1 leaves the event's own day out, so one business day from a Friday
/// 17:00 is the Monday; T2 ends it at 24:00. With `days == 0` the period is
/// the rest of the event's day. Public holidays are the host's business
/// calendar; this counts weekdays.
pub fn end(event: Timestamp, days: u32, zone: &str) -> Result<Timestamp, Rejection> {
    let mut day = period::local_date(event, zone)?;
    if days > 0 {
        // `add_weekdays` counts a weekend instant from the next Monday's
        // start, which would make that Monday day 0. Counting from the Friday
        // before makes it day 1, as T1 wants.
        while !period::is_weekday(day) {
            day = day.yesterday().map_err(|_| out_of_range())?;
        }
        let last = period::add_weekdays(period::start_of_day(day, zone)?, days, zone)?;
        day = period::local_date(last, zone)?;
    }
    period::start_of_day(day.tomorrow().map_err(|_| out_of_range())?, zone)
}

fn out_of_range() -> Rejection {
    Rejection::invalid_input("the period runs past the calendar's end")
}

#[cfg(test)]
mod tests {
    use super::*;
    use aftersale_sdk::testing::at;

    const SHANGHAI: &str = "Asia/Shanghai";

    #[test]
    fn t1_a_weekend_event_counts_from_monday() {
        for event in ["2026-01-10T09:00:00+08:00", "2026-01-11T23:59:00+08:00"] {
            assert_eq!(
                end(at(event), 1, SHANGHAI).unwrap(),
                at("2026-01-13T00:00:00+08:00")
            );
        }
    }

    #[test]
    fn t2_the_period_ends_at_midnight_in_the_tenant_zone() {
        // 2026-01-15 20:00 UTC is Thursday evening in London but already
        // Friday 04:00 in Shanghai.
        let event = at("2026-01-15T20:00:00Z");
        assert_eq!(
            end(event, 1, "Europe/London").unwrap(),
            at("2026-01-17T00:00:00+00:00")
        );
        assert_eq!(
            end(event, 1, SHANGHAI).unwrap(),
            at("2026-01-20T00:00:00+08:00")
        );
    }

    #[test]
    fn zero_days_is_the_rest_of_the_day() {
        assert_eq!(
            end(at("2026-01-14T10:00:00+08:00"), 0, SHANGHAI).unwrap(),
            at("2026-01-15T00:00:00+08:00")
        );
    }
}
