//! Query strings. Each list's and report's parameters are a type (`ReviewListQuery`,
//! `OrderListQuery`, …, next to the concept they list), read by the one parser here and
//! described by the same type in the OpenAPI document, so the names the edge reads and the names
//! the document lists cannot part.
//!
//! The rules every query shares: a name no query knows is ignored (caches and analytics add
//! their own); every value is checked, and of a name given twice the last counts; a value that
//! cannot be read is a `400` whose message starts with the parameter's name ("limit must be a
//! whole number from 1 to 50").

use crate::Id;
use serde::de::{self, DeserializeOwned, IntoDeserializer, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

/// Reads a query string's pairs (already percent-decoded) into `Q`, or says what is wrong in a
/// sentence that names the parameter.
pub fn parse<'a, Q: DeserializeOwned>(
    pairs: impl IntoIterator<Item = (Cow<'a, str>, Cow<'a, str>)>,
) -> Result<Q, String> {
    let read = |pairs: Vec<(Cow<'a, str>, Cow<'a, str>)>| {
        Q::deserialize(Pairs {
            pairs: pairs.into_iter(),
            value: None,
        })
        .map_err(|QueryError(message)| message)
    };
    let mut kept: Vec<(Cow<'a, str>, Cow<'a, str>)> = Vec::new();
    // By name, so a long query of many names costs one lookup per pair, not a scan of all
    // before it.
    let mut slot: BTreeMap<Cow<'a, str>, usize> = BTreeMap::new();
    for (name, value) in pairs {
        match slot.get(&name) {
            Some(&at) => {
                // A value given over is still checked, alone, as it would have been read.
                let given_over = std::mem::replace(&mut kept[at].1, value);
                read(vec![(name, given_over)])?;
            }
            None => {
                slot.insert(name.clone(), kept.len());
                kept.push((name, value));
            }
        }
    }
    read(kept)
}

/// Why a query string was refused: a sentence for the `400`'s message.
#[derive(Debug)]
pub struct QueryError(String);

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for QueryError {}

impl de::Error for QueryError {
    fn custom<T: fmt::Display>(message: T) -> Self {
        QueryError(message.to_string())
    }

    /// A word of a closed list (a sort, a status): the message lists the words.
    fn unknown_variant(_given: &str, expected: &'static [&'static str]) -> Self {
        QueryError(match expected {
            [] => "must be empty".to_owned(),
            [one] => format!("must be {one}"),
            [init @ .., last] if expected.len() <= 4 => {
                format!("must be {} or {last}", init.join(", "))
            }
            _ => format!("must be one of {}", expected.join(", ")),
        })
    }
}

/// The query as a map from names to values, each value read by [`Value`].
struct Pairs<'a> {
    pairs: std::vec::IntoIter<(Cow<'a, str>, Cow<'a, str>)>,
    value: Option<(Cow<'a, str>, Cow<'a, str>)>,
}

impl<'de> MapAccess<'de> for Pairs<'_> {
    type Error = QueryError;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, QueryError> {
        let Some(pair) = self.pairs.next() else {
            return Ok(None);
        };
        let key = seed.deserialize(pair.0.as_ref().into_deserializer())?;
        self.value = Some(pair);
        Ok(Some(key))
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, QueryError> {
        let (name, value) = self
            .value
            .take()
            .ok_or_else(|| QueryError("a value without its name".into()))?;
        seed.deserialize(Value(&value))
            .map_err(|QueryError(problem)| QueryError(format!("{name} {problem}")))
    }
}

impl<'de> Deserializer<'de> for Pairs<'_> {
    type Error = QueryError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        visitor.visit_map(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

/// One parameter's value: text, which a present `Option` holds and a closed list's word names.
struct Value<'a>(&'a str);

impl<'de> Deserializer<'de> for Value<'_> {
    type Error = QueryError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        visitor.visit_str(self.0)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, QueryError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, QueryError> {
        de::value::StrDeserializer::<QueryError>::new(self.0)
            .deserialize_enum(name, variants, visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

/// A whole number from 1 to `MAX` (a page's length, a number of days, stars).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Bounded<const MAX: u32>(pub u32);

impl<'de, const MAX: u32> Deserialize<'de> for Bounded<MAX> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        raw.parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX).contains(n))
            .map(Bounded)
            .ok_or_else(|| de::Error::custom(format!("must be a whole number from 1 to {MAX}")))
    }
}

/// A merchant id given as a parameter (`?product=`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdParam(pub Id);

impl<'de> Deserialize<'de> for IdParam {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Id::parse(&raw)
            .map(IdParam)
            .map_err(|e| de::Error::custom(format!("id {e}")))
    }
}

/// What a cursor of a list says: where the next page starts. Each list's cursor has its own
/// shape; one that list did not give out is refused.
pub trait FromCursor: Sized {
    fn from_cursor(raw: &str) -> Option<Self>;
}

/// A list's cursor, as that list gave it out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor<T>(pub T);

impl<'de, T: FromCursor> Deserialize<'de> for Cursor<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        T::from_cursor(&raw)
            .map(Cursor)
            .ok_or_else(|| de::Error::custom("is not one this API gave out"))
    }
}

/// A list's next page starts after this merchant id (the catalog, by id).
impl FromCursor for Id {
    fn from_cursor(raw: &str) -> Option<Self> {
        Id::parse(raw).ok()
    }
}

/// A comma-separated list of up to `MAX` product ids, each kept once, in the order given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductIds<const MAX: usize>(pub Vec<Id>);

impl<'de, const MAX: usize> Deserialize<'de> for ProductIds<MAX> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        let mut ids: Vec<Id> = Vec::new();
        for one in raw.split(',').filter(|r| !r.is_empty()) {
            let id = Id::parse(one)
                .map_err(|e| de::Error::custom(format!("must be product ids: an id {e}")))?;
            if !ids.contains(&id) {
                // Refused as soon as it is too many, so a long list costs no more comparisons
                // than a short one.
                if ids.len() == MAX {
                    return Err(de::Error::custom(format!(
                        "may name at most {MAX} products"
                    )));
                }
                ids.push(id);
            }
        }
        Ok(ProductIds(ids))
    }
}

#[cfg(feature = "openapi")]
mod schemas {
    //! The leaf types' schemas, as the OpenAPI document lists each parameter.
    use super::{Bounded, Cursor, IdParam, ProductIds};
    use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
    use std::borrow::Cow;

    impl<const MAX: u32> JsonSchema for Bounded<MAX> {
        fn inline_schema() -> bool {
            true
        }
        fn schema_name() -> Cow<'static, str> {
            format!("Bounded{MAX}").into()
        }
        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            json_schema!({ "type": "integer", "minimum": 1, "maximum": MAX })
        }
    }

    impl JsonSchema for IdParam {
        fn inline_schema() -> bool {
            true
        }
        fn schema_name() -> Cow<'static, str> {
            "IdParam".into()
        }
        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            json_schema!({ "type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$" })
        }
    }

    impl<T> JsonSchema for Cursor<T> {
        fn inline_schema() -> bool {
            true
        }
        fn schema_name() -> Cow<'static, str> {
            "Cursor".into()
        }
        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            json_schema!({
                "type": "string",
                "description": "The `next_cursor` of the page before, as it was given out.",
            })
        }
    }

    impl<const MAX: usize> JsonSchema for ProductIds<MAX> {
        fn inline_schema() -> bool {
            true
        }
        fn schema_name() -> Cow<'static, str> {
            format!("ProductIds{MAX}").into()
        }
        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            json_schema!({
                "type": "string",
                "description": format!("Up to {MAX} product ids, separated by commas."),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::Locale;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(default)]
    struct Sample {
        limit: Bounded<50>,
        sort: crate::review::ReviewSort,
        stars: Option<Bounded<5>>,
        locale: Option<Locale>,
        cursor: Option<Cursor<Id>>,
        q: Option<String>,
    }

    impl Default for Sample {
        fn default() -> Self {
            Sample {
                limit: Bounded(5),
                sort: Default::default(),
                stars: None,
                locale: None,
                cursor: None,
                q: None,
            }
        }
    }

    fn read(query: &str) -> Result<Sample, String> {
        parse(
            query
                .split('&')
                .filter(|p| !p.is_empty())
                .map(|p| p.split_once('=').unwrap_or((p, "")))
                .map(|(n, v)| (Cow::Borrowed(n), Cow::Borrowed(v))),
        )
    }

    #[test]
    fn absent_parameters_take_their_defaults_and_unknown_ones_are_ignored() {
        assert_eq!(read("").unwrap(), Sample::default());
        assert_eq!(read("utm_source=x&fbclid=y").unwrap(), Sample::default());
    }

    #[test]
    fn each_parameter_is_read_into_its_type() {
        let s = read("limit=7&sort=helpful&stars=4&locale=tr&cursor=a.1&q=fincan").unwrap();
        assert_eq!(s.limit, Bounded(7));
        assert_eq!(s.sort, crate::review::ReviewSort::Helpful);
        assert_eq!(s.stars, Some(Bounded(4)));
        assert_eq!(s.locale, Some(Locale::Tr));
        assert_eq!(s.cursor, Some(Cursor(Id::parse("a.1").unwrap())));
        assert_eq!(s.q.as_deref(), Some("fincan"));
    }

    #[test]
    fn the_last_of_a_repeated_name_counts_and_every_value_is_checked() {
        assert_eq!(read("limit=3&limit=9").unwrap().limit, Bounded(9));
        assert_eq!(
            read("limit=0&limit=9").unwrap_err(),
            "limit must be a whole number from 1 to 50"
        );
        assert_eq!(
            read("sort=best&q=x&sort=lowest").unwrap_err(),
            "sort must be newest, highest, lowest or helpful"
        );
    }

    #[test]
    fn refusals_name_the_parameter_and_what_it_must_be() {
        for (query, message) in [
            ("limit=0", "limit must be a whole number from 1 to 50"),
            ("limit=51", "limit must be a whole number from 1 to 50"),
            ("limit=x", "limit must be a whole number from 1 to 50"),
            ("stars=6", "stars must be a whole number from 1 to 5"),
            (
                "sort=best",
                "sort must be newest, highest, lowest or helpful",
            ),
            ("locale=de", "locale must be tr or en"),
            ("cursor=a/b", "cursor is not one this API gave out"),
        ] {
            assert_eq!(read(query).unwrap_err(), message, "{query}");
        }
        let many = <QueryError as de::Error>::unknown_variant("x", &["a", "b", "c", "d", "e"]);
        assert_eq!(many.to_string(), "must be one of a, b, c, d, e");
    }

    #[test]
    fn product_ids_are_kept_once_and_bounded() {
        #[derive(Deserialize, Default)]
        #[serde(default)]
        struct Ids {
            ids: ProductIds<2>,
        }
        let pairs = |v: &'static str| [(Cow::Borrowed("ids"), Cow::Borrowed(v))];
        let ids: Ids = parse(pairs("a,,b,a")).unwrap();
        assert_eq!(ids.ids.0.len(), 2);
        let too_many = parse::<Ids>(pairs("a,b,c")).err().unwrap();
        assert_eq!(too_many, "ids may name at most 2 products");
        assert!(parse::<Ids>(pairs("a,b c")).is_err());
    }
}
