//! Which D1 database holds a shop. A deployment has one control database (binding `DB`) and one
//! or more data databases (`DATA_DATABASES` in wrangler.toml, bindings separated by spaces;
//! `DB` alone when unset). Every data database holds everything of its shops; the control
//! database's directory (`store::directory`) says which one, and which shop a merchant key opens.
//!
//! With one data database there is nothing to look up and the directory is never read: the
//! small deployment and the demo pay nothing. With several, a shop or key the directory does not
//! name is on the first data database, where every shop lived before there were several.
//!
//! The directory is cached per isolate for `DIRECTORY_CACHE_SECONDS` (30 unless set): most
//! requests read nothing from the control database. A move (`cargo xtask shop move`) pauses the
//! shop's writes and then waits out that time, so no isolate still writes where the shop was.
//! The control database's reads are not counted in `X-Memnun-D1-Statements`, which holds the
//! shop's own statements to D1's per-request limits.

use crate::platform::error::ApiError;
use crate::platform::statement_count;
use crate::store::directory::{self, Place};
use memnun_protocol::Id;
use std::cell::RefCell;
use std::collections::HashMap;
use worker::{D1Database, Env, js_sys};

/// The binding of the control database, and the data database of a one-database deployment.
pub const CONTROL: &str = "DB";

/// How long a move's paused writes are told to wait before they are sent again.
pub const PAUSED_RETRY_SECONDS: u32 = 5;

/// A shop's database, as a request finds it.
pub struct ShopDatabase {
    pub db: D1Database,
    /// The shop is being moved: its writes wait (503, `Retry-After`).
    pub writes_paused: bool,
}

/// The bindings of the data databases, first the one that holds the shops the directory does
/// not name.
pub fn data_databases(env: &Env) -> Vec<String> {
    let listed = env
        .var("DATA_DATABASES")
        .map(|v| v.to_string())
        .unwrap_or_default();
    let names: Vec<String> = listed
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if names.is_empty() {
        vec![CONTROL.to_owned()]
    } else {
        names
    }
}

/// Opens a data database by binding, counted in the test environment.
pub fn open(env: &Env, binding: &str) -> Result<D1Database, ApiError> {
    let db = env
        .d1(binding)
        .map_err(|e| ApiError::Internal(format!("the data database {binding}: {e}")))?;
    Ok(if statement_count::enabled(env) {
        statement_count::counting(db)
    } else {
        db
    })
}

fn control(env: &Env) -> Result<D1Database, ApiError> {
    env.d1(CONTROL).map_err(|_| ApiError::NoBinding(CONTROL))
}

/// The database that holds `shop`, and whether its writes are paused.
pub async fn for_shop(env: &Env, shop: &Id) -> Result<ShopDatabase, ApiError> {
    let data = data_databases(env);
    if data.len() == 1 {
        return Ok(ShopDatabase {
            db: open(env, &data[0])?,
            writes_paused: false,
        });
    }
    let place = match cached(&SHOPS, env, shop.as_str()) {
        Some(place) => place,
        None => {
            let place = directory::place(&control(env)?, shop.as_str()).await?;
            remember(&SHOPS, shop.as_str(), place.clone());
            place
        }
    };
    let Some(place) = place else {
        return Ok(ShopDatabase {
            db: open(env, &data[0])?,
            writes_paused: false,
        });
    };
    if !data.contains(&place.database) {
        return Err(ApiError::Internal(format!(
            "the directory puts {shop} on {}, which is not in DATA_DATABASES",
            place.database
        )));
    }
    Ok(ShopDatabase {
        db: open(env, &place.database)?,
        writes_paused: place.writes_paused_at.is_some(),
    })
}

/// Where a merchant key is checked.
pub struct KeyDatabases {
    /// The database that holds the key's shop (the first data database for a key the directory
    /// does not name: a wrong key is checked, and counted, there).
    pub key: D1Database,
    /// The first data database, when the key is checked elsewhere: the client's count of wrong
    /// keys is there, and a client locked out is refused whichever shop's key it sends.
    pub lockout: Option<D1Database>,
}

/// Where the key with `key_hash` is checked.
pub async fn for_key(env: &Env, key_hash: &str) -> Result<KeyDatabases, ApiError> {
    let data = data_databases(env);
    if data.len() > 1 && !key_hash.is_empty() {
        let shop = match cached(&KEYS, env, key_hash) {
            Some(shop) => Some(shop),
            None => {
                let shop = directory::shop_of_key(&control(env)?, key_hash).await?;
                // Only keys that open a shop are kept: a guesser's keys would fill the cache.
                if let Some(shop) = &shop {
                    remember(&KEYS, key_hash, shop.clone());
                }
                shop
            }
        };
        if let Some(shop) = shop.as_deref().and_then(|s| Id::parse(s).ok()) {
            return Ok(KeyDatabases {
                key: for_shop(env, &shop).await?.db,
                lockout: Some(open(env, &data[0])?),
            });
        }
    }
    Ok(KeyDatabases {
        key: open(env, &data[0])?,
        lockout: None,
    })
}

/// Notes in the directory that a new key opens `shop`, where there is more than one database
/// to find it in.
pub async fn note_key(env: &Env, key_hash: &str, shop: &Id) -> Result<(), ApiError> {
    if data_databases(env).len() > 1 {
        directory::add_key(&control(env)?, key_hash, shop).await?;
    }
    Ok(())
}

/// The data databases a move under way touches (none with one data database): the scheduled
/// jobs leave them for the move's minute or two, so neither copy of a shop sends a webhook or
/// a message the other sends too.
pub async fn in_moves(env: &Env) -> Result<Vec<String>, ApiError> {
    if data_databases(env).len() == 1 {
        return Ok(Vec::new());
    }
    Ok(directory::databases_in_moves(&control(env)?).await?)
}

/// Every data database, by binding: the scheduled jobs sweep each in turn.
pub fn every_data_database(env: &Env) -> Vec<(String, Result<D1Database, ApiError>)> {
    data_databases(env)
        .into_iter()
        .map(|name| {
            let db = open(env, &name);
            (name, db)
        })
        .collect()
}

/// The control database and every data database not the same, by binding: health checks each.
pub fn every_database(env: &Env) -> Vec<String> {
    let mut all = vec![CONTROL.to_owned()];
    all.extend(
        data_databases(env)
            .into_iter()
            .filter(|name| name != CONTROL),
    );
    all
}

/// Directory rows this isolate has read, with when it read them (ms, real time: the test clock
/// moves requests, not caches).
type Cache<T> = RefCell<HashMap<String, (T, f64)>>;

thread_local! {
    static SHOPS: Cache<Option<Place>> = RefCell::new(HashMap::new());
    static KEYS: Cache<String> = RefCell::new(HashMap::new());
}

/// Shops named in paths are anyone's to make up: past this many rows a cache starts over.
const CACHE_ROWS: usize = 4096;

fn cached<T: Clone>(
    cache: &'static std::thread::LocalKey<Cache<T>>,
    env: &Env,
    key: &str,
) -> Option<T> {
    let ttl_ms = env
        .var("DIRECTORY_CACHE_SECONDS")
        .ok()
        .and_then(|v| v.to_string().parse::<f64>().ok())
        .unwrap_or(30.0)
        * 1000.0;
    let now = js_sys::Date::now();
    cache.with(|cache| {
        let cache = cache.borrow();
        let (value, read_at) = cache.get(key)?;
        (now - read_at < ttl_ms).then(|| value.clone())
    })
}

fn remember<T>(cache: &'static std::thread::LocalKey<Cache<T>>, key: &str, value: T) {
    let now = js_sys::Date::now();
    cache.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.len() >= CACHE_ROWS {
            cache.clear();
        }
        cache.insert(key.to_owned(), (value, now));
    });
}
