//! Real user-agent strings with the verdict a careful classifier should reach
//! (`../shared/data/ua-samples.tsv`: previews, in-app browsers, crawlers, browsers), run
//! through the binary's own tables with `darklog analyze`: each agent requests one deep
//! page with no referrer, and the report says what became of it.

use crate::util::*;

#[test]
fn shared_user_agent_samples_get_their_verdict() {
    let Some(data) = shared_data() else { return };
    let tsv = std::fs::read_to_string(data.join("ua-samples.tsv")).unwrap();
    let mut wrong = Vec::new();
    let mut n = 0;
    for (i, row) in tsv.lines().enumerate() {
        let f: Vec<&str> = row.splitn(3, '\t').collect();
        let [class, app, ua] = [f[0], f[1], f[2]];
        n += 1;
        let line = format!(
            "192.0.2.{} - - [02/Nov/2026:10:00:00 +0000] \"GET /news/2026/11/02/story HTTP/1.1\" 200 1 \"-\" \"{}\"\n",
            i % 250,
            ua.replace('"', "\\\"")
        );
        let r = darklog_stdin(
            &["analyze", "-", "--format", "json", "-q", "--report", "channels"],
            line.as_bytes(),
        );
        let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        let visits = |name: &str| {
            doc["channels"].as_array().unwrap().iter().find(|c| c["channel"] == name).unwrap()["visits"]
                .as_u64()
                .unwrap()
        };
        let got = if visits("excluded:link-previews") == 1 {
            "preview-bot"
        } else if visits("excluded:bots") == 1 {
            "crawler"
        } else {
            "reader"
        };
        let want = match class {
            "preview-bot" => "preview-bot",
            "crawler" => "crawler",
            _ => "reader",
        };
        if got != want {
            wrong.push(format!("{class} {app}: got {got}: {ua}"));
        }
    }
    assert!(n >= 100, "{n} samples");
    assert!(wrong.is_empty(), "{} of {n} wrong:\n{}", wrong.len(), wrong.join("\n"));
}
