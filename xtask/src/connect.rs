//! `cargo xtask connect shopify|woocommerce --shop ID [--secret S]`: what the dashboard's
//! "Connect" form does, for developers: stores the secret the platform signs its webhooks with
//! (checked as `PUT /v1/admin/connectors/{platform}` checks it) and prints where to point the
//! webhooks and which topics to add. Locally it writes to the demo's D1 (`target/demo-d1`); with
//! `--remote`, to the deployed D1.

use crate::edge;
use crate::{root, step};
use anyhow::{Result, bail};
use memnun_protocol::Id;
use memnun_protocol::connectors::{ConnectorUpdate, Platform};

const USAGE: &str = "usage: cargo xtask connect shopify|woocommerce --shop ID [--secret SECRET] \
                     [--currency TRY] [--locale tr] [--edge URL] [--remote]";

pub fn run(args: &[String]) -> Result<()> {
    let Some(platform) = args.first().and_then(|p| Platform::parse(p)) else {
        bail!("{USAGE}");
    };
    let (mut shop, mut secret, mut currency, mut locale) = (None, None, None, None);
    let mut edge_url = "https://EDGE".to_owned();
    let mut remote = false;
    let mut it = args[1..].iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--shop" => shop = it.next().cloned(),
            "--secret" => secret = it.next().cloned(),
            "--currency" => currency = it.next().cloned(),
            "--locale" => locale = it.next().cloned(),
            "--edge" => edge_url = it.next().cloned().unwrap_or_default(),
            "--remote" => remote = true,
            other => bail!("unknown argument {other:?}\n{USAGE}"),
        }
    }
    let shop = Id::parse(shop.as_deref().unwrap_or(""))
        .map_err(|e| anyhow::anyhow!("--shop: the shop id {e}\n{USAGE}"))?;
    let generated = secret.is_none();
    let secret = match (secret, platform) {
        (Some(secret), _) => secret,
        // WooCommerce takes whatever secret the merchant types: one is made here to type there.
        (None, Platform::WooCommerce) => crate::shop::random_hex(24)?,
        (None, Platform::Shopify) => bail!(
            "give --secret: Shopify shows it under Settings → Notifications → Webhooks \
             (\"Your webhooks will be signed with …\")"
        ),
    };
    let valid = ConnectorUpdate {
        secret: Some(secret),
        currency,
        locale,
    }
    .validate()
    .map_err(|errors| {
        let said: Vec<String> = errors.0.iter().map(|(f, p)| format!("{f}: {p}")).collect();
        anyhow::anyhow!("{}", said.join("; "))
    })?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis();
    let quote = |s: &str| format!("'{}'", s.replace('\'', "''"));
    let sql = format!(
        "INSERT INTO connectors (shop_id, platform, secret, connected_at, currency, locale) \
         VALUES ({}, {}, {}, {now}, {}, {}) ON CONFLICT (shop_id, platform) DO UPDATE SET \
         secret = excluded.secret, connected_at = excluded.connected_at, \
         currency = excluded.currency, locale = excluded.locale, signature_refused_at = NULL;",
        quote(shop.as_str()),
        quote(platform.as_str()),
        quote(&valid.secret),
        quote(&valid.currency),
        quote(&valid.locale),
    );
    let persist = root().join("target/demo-d1");
    step(if remote {
        "Applying migrations to the deployed D1"
    } else {
        "Applying migrations to the local D1 (target/demo-d1)"
    });
    edge::migrate(None, &persist, remote)?;
    step("Storing the connection");
    edge::execute_sql(None, &persist, &sql, remote)?;
    let url = format!(
        "{}/v1/connectors/{}/{shop}",
        edge_url.trim_end_matches('/'),
        platform.as_str()
    );
    println!();
    println!("webhook URL:  {url}");
    println!("topics:       {}", platform.topics().join(", "));
    if generated {
        println!(
            "secret:       {}  (type it into each webhook; not shown again)",
            valid.secret
        );
    }
    println!();
    match platform {
        Platform::Shopify => println!(
            "In Shopify's admin: Settings → Notifications → Webhooks → Create webhook, \
             format JSON, the URL above, once for each topic."
        ),
        Platform::WooCommerce => println!(
            "In WordPress: WooCommerce → Settings → Advanced → Webhooks → Add webhook, status \
             Active, the URL above, API version WP REST API v3, the secret, once for each topic."
        ),
    }
    Ok(())
}
