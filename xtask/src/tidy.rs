//! Tests of the repository itself (as rust-analyzer's "tidy" does): the things we promise that no
//! compiler checks.

#[cfg(test)]
mod tests {
    use crate::root;
    use std::fs;

    fn read(path: &str) -> String {
        fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn production_config_cannot_shift_the_clock() {
        let config = read("edge/wrangler.toml");
        let production = config.split("[env.").next().unwrap_or_default();
        assert!(production.contains("CLOCK_SHIFT_ALLOWED = \"false\""));
        assert!(!production.contains("CLOCK_SHIFT_ALLOWED = \"true\""));
        let clock = read("edge/src/platform/clock.rs");
        assert!(
            clock.contains("== \"true\""),
            "the clock must shift only when explicitly allowed"
        );
    }

    #[test]
    fn production_config_does_not_count_statements() {
        let config = read("edge/wrangler.toml");
        let production = config.split("[env.").next().unwrap_or_default();
        assert!(production.contains("COUNT_D1_STATEMENTS = \"false\""));
        assert!(!production.contains("COUNT_D1_STATEMENTS = \"true\""));
    }

    #[test]
    fn production_config_does_not_send_webhooks_to_loopback() {
        let config = read("edge/wrangler.toml");
        let production = config.split("[env.").next().unwrap_or_default();
        assert!(production.contains("WEBHOOK_LOOPBACK_ALLOWED = \"false\""));
        assert!(!production.contains("WEBHOOK_LOOPBACK_ALLOWED = \"true\""));
    }

    #[test]
    fn ci_runs_the_readme_test_command() {
        let readme = read("README.md");
        assert!(readme.contains("cargo xtask demo"));
        assert!(readme.contains("cargo xtask test"));
        assert!(
            read(".ci/run")
                .lines()
                .any(|l| l.trim() == "cargo xtask test")
        );
    }

    /// Every Rust file under `edge/src`, its path relative to it (`store/mod.rs`).
    fn edge_sources() -> Vec<(String, String)> {
        fn walk(dir: &std::path::Path, base: &std::path::Path, out: &mut Vec<(String, String)>) {
            for entry in fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, base, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let name = path
                        .strip_prefix(base)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned();
                    out.push((name, fs::read_to_string(&path).unwrap()));
                }
            }
        }
        let base = root().join("edge/src");
        let mut out = Vec::new();
        walk(&base, &base, &mut out);
        out.sort();
        out
    }

    /// Every SQL statement of the edge is in its storage layer (`edge/src/store/`), so a
    /// concept's tables are read and written in one place.
    #[test]
    fn sql_lives_in_the_store() {
        for (name, text) in edge_sources() {
            if name.starts_with("store/") {
                continue;
            }
            // A statement begins a string literal; a doc comment that names an HTTP method
            // (`DELETE /v1/…`) is no SQL.
            let sql = [
                "\"SELECT ",
                "\"INSERT ",
                "\"UPDATE ",
                "\"DELETE FROM",
                "\"WITH ",
            ]
            .iter()
            .find(|sql| text.contains(*sql));
            assert!(
                !text.contains(".prepare(") && sql.is_none(),
                "edge/src/{name} holds SQL ({}): put it in edge/src/store/",
                sql.unwrap_or(&"prepare(")
            );
        }
    }

    #[test]
    fn edge_code_does_not_unwrap() {
        for (path, text) in edge_sources() {
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            for needle in [
                ".unwrap()",
                ".expect(",
                "panic!(",
                "todo!(",
                "unimplemented!(",
            ] {
                assert!(!code.contains(needle), "edge/src/{path} contains {needle}");
            }
        }
    }

    #[test]
    fn every_error_code_is_documented() {
        let api = read("docs/API.md");
        let codes = read("protocol/src/error.rs");
        let enum_body = codes
            .split("pub enum ErrorCode {")
            .nth(1)
            .unwrap()
            .split('}')
            .next()
            .unwrap();
        for line in enum_body.lines().map(str::trim) {
            if let Some(variant) = line.strip_suffix(',').filter(|v| !v.starts_with("//")) {
                let snake: String = variant
                    .chars()
                    .enumerate()
                    .flat_map(|(i, c)| {
                        let lower = c.to_ascii_lowercase();
                        if c.is_ascii_uppercase() && i > 0 {
                            vec!['_', lower]
                        } else {
                            vec![lower]
                        }
                    })
                    .collect();
                assert!(
                    api.contains(&format!("`{snake}`")),
                    "docs/API.md does not document {snake}"
                );
            }
        }
    }

    #[test]
    fn migrations_are_numbered_in_order() {
        let mut names: Vec<String> = fs::read_dir(root().join("edge/migrations"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        for (i, name) in names.iter().enumerate() {
            assert!(name.starts_with(&format!("{:04}_", i + 1)), "{name}");
            assert!(name.ends_with(".sql"));
        }
    }
}
