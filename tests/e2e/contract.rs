//! Contract versions side by side: one runtime runs a plugin built against
//! `aftersale:plugin@1.0.0` next to plugins built against 1.1.0, and asks
//! only the 1.1.0 ones about surveys.

use aftersale::plugins::{DEFAULT_BUNDLE, Failure, Hook, LATEST_CONTRACT, SUPPORTED_CONTRACTS};
use aftersale_sdk::testing::{EffectsExt, SnapshotBuilder, survey_answer};
use aftersale_sdk::{Effect, Event, Json, TransitionRequest};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::app::{Req, on_both_backends};
use crate::harness::cli::aftersale;
use crate::harness::support::{behaving, components, finish, load, runtime, trial};

fn legacy_ticket() -> SnapshotBuilder {
    SnapshotBuilder::new("legacy_repair").state("open")
}

#[test]
fn the_host_supports_1_0_0_1_1_0_and_1_2_0() {
    assert_eq!(SUPPORTED_CONTRACTS, ["1.0.0", "1.1.0", "1.2.0"]);
    assert_eq!(LATEST_CONTRACT, "1.2.0");
}

#[tokio::test]
async fn a_1_0_0_plugin_and_a_1_1_0_plugin_run_side_by_side() {
    let runtime = runtime();
    let legacy = load(&runtime, components::LEGACY_V1).await;
    let current = load(&runtime, components::HOSTILE).await;
    assert_eq!((legacy.name(), legacy.contract()), ("legacy", "1.0.0"));
    assert_eq!((current.name(), current.contract()), ("hostile", "1.2.0"));
    assert!(!legacy.answers_surveys());
    assert!(current.answers_surveys());

    // Every 1.0.0 hook works on both, interleaved in one runtime.
    let created = runtime
        .on_create(&legacy, &legacy_ticket().build())
        .await
        .unwrap();
    assert_eq!(
        created.value.unwrap().attribute("contract"),
        Some(&json!("1.0.0"))
    );
    // The 1.0.0 `host` import is served too.
    assert!(created.report.log.contains("legacy on-create"));
    let created = runtime
        .on_create(&current, &trial("count").build())
        .await
        .unwrap();
    assert_eq!(created.value.unwrap().attribute("calls"), Some(&json!(1)));

    let refused = runtime
        .guard(&legacy, &legacy_ticket().build(), &finish())
        .await
        .unwrap();
    let rejection = refused.value.unwrap_err();
    assert_eq!(
        (rejection.code.as_str(), rejection.rule.as_deref()),
        ("note-missing", Some("L1"))
    );
    let allowed = runtime
        .guard(
            &legacy,
            &legacy_ticket().build(),
            &TransitionRequest {
                note: Some("fixed".into()),
                ..finish()
            },
        )
        .await
        .unwrap();
    assert_eq!(allowed.value, Ok(vec![]));
    let allowed = runtime
        .guard(&current, &behaving(), &finish())
        .await
        .unwrap();
    assert_eq!(
        allowed.value,
        Ok(vec![Effect::note("finish allowed", true)])
    );

    let snapshot = legacy_ticket().build();
    let event = Event {
        id: "e1".into(),
        at: snapshot.now,
        actor: snapshot.actor.clone(),
        kind: "survey_answered".into(),
        data: Json::from(json!({})),
    };
    let after = runtime.after(&legacy, &snapshot, &event).await.unwrap();
    assert_eq!(
        after.value,
        vec![Effect::note("legacy saw survey_answered", true)]
    );

    // Only the 1.1.0 plugin is asked about the survey.
    let answer = survey_answer(&[("timeliness", 4), ("attitude", 2)], Some(7));
    let not_asked = runtime
        .on_survey(&legacy, &legacy_ticket().build(), &answer)
        .await
        .unwrap();
    assert!(not_asked.is_none());
    let asked = runtime
        .on_survey(&current, &behaving(), &answer)
        .await
        .unwrap()
        .expect("a 1.1.0 plugin built with the SDK exports on-survey");
    assert_eq!(
        asked.value,
        vec![Effect::note("survey lowest attitude=2", true)]
    );
    assert!(asked.report.fuel_used > 0);
}

#[tokio::test]
async fn on_survey_runs_in_the_same_sandbox_as_every_hook() {
    let runtime = runtime();
    let plugin = load(&runtime, components::HOSTILE).await;
    let answer = survey_answer(&[("result", 1)], None);
    let error = runtime
        .on_survey(&plugin, &trial("burn").build(), &answer)
        .await
        .unwrap_err();
    assert_eq!(error.hook, Hook::OnSurvey);
    assert!(matches!(error.failure, Failure::FuelExhausted { .. }));
    assert!(error.to_string().contains("hostile@6.6.6, hook on-survey"));
}

#[tokio::test]
async fn a_survey_answer_counts_against_the_input_limit() {
    let runtime = runtime();
    let plugin = load(&runtime, components::HOSTILE).await;
    let mut answer = survey_answer(&[("result", 3)], None);
    answer.comment = Some("x".repeat(runtime.limits().input_bytes));
    let error = runtime
        .on_survey(&plugin, &behaving(), &answer)
        .await
        .unwrap_err();
    assert!(
        matches!(error.failure, Failure::InputTooLarge { .. }),
        "{error}"
    );
}

#[tokio::test]
async fn first_party_plugins_are_built_against_the_newest_contract() {
    let runtime = runtime();
    for (package, bytes) in DEFAULT_BUNDLE {
        let plugin = runtime.load(bytes).await.unwrap();
        assert_eq!(plugin.contract(), LATEST_CONTRACT, "{package}");
        assert!(plugin.answers_surveys(), "{package}");
    }
}

#[test]
fn plugin_run_calls_on_survey_and_names_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("snapshot.json");
    std::fs::write(&input, serde_json::to_vec(&behaving()).unwrap()).unwrap();
    let answer = r#"{"survey": "s-1", "ratings": [{"attribute": "result", "score": 1}]}"#;
    let run = |component: &str| {
        aftersale(&[
            "plugin",
            "run",
            component,
            "--hook",
            "on-survey",
            "--input",
            input.to_str().unwrap(),
            "--answer",
            answer,
        ])
    };

    let output = run(components::HOSTILE);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["contract"], "1.2.0");
    assert_eq!(report["hook"], "on-survey");
    assert_eq!(
        report["result"]["effects"][0]["body"], "survey lowest result=1",
        "{report}"
    );

    // Without --answer, the last answer in the history is used.
    let answered = trial("behave")
        .event(
            "survey_answered",
            "2026-01-10T10:00:00+08:00",
            json!({"survey": "s-2", "ratings": {"attitude": 2, "result": 5}, "nps": 3}),
        )
        .build();
    let from_history = dir.path().join("answered.json");
    std::fs::write(&from_history, serde_json::to_vec(&answered).unwrap()).unwrap();
    let output = aftersale(&[
        "plugin",
        "run",
        components::HOSTILE,
        "--hook",
        "on-survey",
        "--input",
        from_history.to_str().unwrap(),
    ]);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
    assert_eq!(
        report["result"]["effects"][0]["body"],
        "survey lowest attitude=2",
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let output = run(components::LEGACY_V1);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("legacy@1.0.3 does not export on-survey (contract 1.0.0"),
        "{stderr}"
    );
}

on_both_backends! {
    async fn a_survey_answer_reaches_the_owning_plugins_on_survey(app) {
        let ticket = app.trial("behave").await;
        let path = format!("/api/v1/tickets/{}", ticket["id"].as_str().unwrap());
        let finished = app
            .send(
                app.req(Method::POST, &format!("{path}/transitions"))
                    .if_match(ticket["version"].as_i64().unwrap())
                    .json(json!({"transition": "finish", "attributes": {"verdict": "fixed"}})),
            )
            .await;
        assert_eq!(finished.status, StatusCode::OK, "{}", finished.body);
        let survey = app.send(app.req(Method::GET, &format!("{path}/survey"))).await;
        assert_eq!(survey.status, StatusCode::OK, "{}", survey.body);
        let token = survey.body["token"].as_str().expect("a survey token");

        let answered = app
            .send(Req::new(Method::POST, &format!("/api/v1/surveys/{token}")).json(json!({
                "ratings": {"timeliness": 4, "attitude": 2, "professionalism": 5, "result": 4},
                "nps": 6
            })))
            .await;
        assert_eq!(answered.status, StatusCode::NO_CONTENT, "{}", answered.body);

        let events = app.send(app.req(Method::GET, &format!("{path}/events"))).await;
        let events = events.body["items"].as_array().expect("the timeline");
        let answered_at = events
            .iter()
            .position(|e| e["kind"] == "survey_answered")
            .expect("the answer is on the timeline");
        // `after` sees the event first, then `on-survey` gets the answer.
        let notes: Vec<&Value> = events[answered_at + 1..].iter().map(|e| &e["data"]["body"]).collect();
        assert_eq!(notes, [&json!("saw survey_answered"), &json!("survey lowest attitude=2")]);
    }
}
