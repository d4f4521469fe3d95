//! The OpenAPI 3.1 document of the route table: every route and operation of `ROUTES`, with the
//! JSON Schemas of what each takes and answers derived from the wire types themselves
//! (`schemars`), so the document cannot say something the edge does not do. The edge's build
//! script writes it, and the edge serves it at `/v1/openapi.json`.

use super::{Access, OperationName, ROUTES, Route};
use crate::ErrorBody;
use crate::shop::ApiKeyScope;
use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{Map, Value, json};

/// The whole document.
pub fn document() -> Value {
    // A type may read and write differently (a field with a default is optional to send but
    // always answered), so requests and answers have their own generators: the requests'
    // schemas are inline, the answers' shared under `components`.
    let mut requests = SchemaSettings::draft2020_12().for_deserialize();
    requests.inline_subschemas = true;
    let mut requests = requests.into_generator();
    let mut answers = SchemaSettings::draft2020_12().for_serialize();
    answers.definitions_path = "/components/schemas".into();
    let mut answers = answers.into_generator();
    let mut queries = SchemaSettings::draft2020_12().for_deserialize();
    queries.inline_subschemas = true;
    let mut queries = queries.into_generator();
    let mut paths = Map::new();
    for route in ROUTES {
        let mut item = Map::new();
        for op in route.operations {
            let contract = contract(op.name, &mut requests, &mut answers, &mut queries);
            item.insert(
                op.method.as_str().to_ascii_lowercase(),
                operation(route, op.name, op.scope, contract, &mut answers),
            );
        }
        paths.insert(route.path.to_owned(), Value::Object(item));
    }
    let schemas = answers.take_definitions(true);
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "memnun edge API",
            "version": "1",
            "description": "Reviews, order tracking, recommendations and post-delivery surveys for online shops. docs/API.md describes every route in prose.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "merchantKey": { "type": "http", "scheme": "bearer", "description": "A shop's API key (mk_…); its scope (read, moderate, full) limits what it may do." },
            },
        },
    })
}

/// What one operation takes and answers.
struct Contract {
    request: Option<(&'static [&'static str], Value)>,
    /// Each query parameter's name, schema and description.
    query: Vec<(String, Value, Option<Value>)>,
    idempotent: bool,
    answers: Vec<(u16, &'static str, Value)>,
}

const JSON: &str = "application/json";
const ONLY_JSON: &[&str] = &[JSON];

impl Contract {
    fn new() -> Self {
        Contract {
            request: None,
            query: Vec::new(),
            idempotent: false,
            answers: Vec::new(),
        }
    }

    fn takes<T: JsonSchema>(mut self, generator: &mut SchemaGenerator) -> Self {
        self.request = Some((ONLY_JSON, generator.subschema_for::<T>().into()));
        self
    }

    fn takes_as<T: JsonSchema>(
        mut self,
        types: &'static [&'static str],
        generator: &mut SchemaGenerator,
    ) -> Self {
        self.request = Some((types, generator.subschema_for::<T>().into()));
        self
    }

    fn takes_csv(mut self) -> Self {
        self.request = Some((&["text/csv"], json!({ "type": "string" })));
        self
    }

    /// JSON lines (one JSON object per line, each line's shape in docs/API.md), or a platform's
    /// CSV export.
    fn takes_json_lines_or_csv(mut self) -> Self {
        self.request = Some((
            &["application/x-ndjson", "application/jsonl", "text/csv"],
            json!({ "type": "string" }),
        ));
        self
    }

    /// The query string's parameters: the properties of `Q`'s schema, each with its own.
    fn query<Q: JsonSchema>(mut self, generator: &mut SchemaGenerator) -> Self {
        let schema = generator.root_schema_for::<Q>();
        let properties = schema.get("properties").and_then(Value::as_object);
        for (name, property) in properties.into_iter().flatten() {
            let mut property = without_null(property.clone());
            let description = property
                .as_object_mut()
                .and_then(|p| p.remove("description"));
            self.query.push((name.clone(), property, description));
        }
        self
    }

    fn idempotent(mut self) -> Self {
        self.idempotent = true;
        self
    }

    fn answers<T: JsonSchema>(mut self, status: u16, generator: &mut SchemaGenerator) -> Self {
        self.answers
            .push((status, JSON, generator.subschema_for::<T>().into()));
        self
    }

    fn answers_text(mut self, status: u16, content_type: &'static str) -> Self {
        self.answers
            .push((status, content_type, json!({ "type": "string" })));
        self
    }

    /// A body that is no wire type of ours, described by hand.
    fn answers_as(mut self, status: u16, content_type: &'static str, schema: Value) -> Self {
        self.answers.push((status, content_type, schema));
        self
    }

    fn answers_nothing(mut self, status: u16) -> Self {
        self.answers.push((status, "", Value::Null));
        self
    }
}

/// A query parameter is there or not, never `null`: the schema of an `Option` field without its
/// `null`.
fn without_null(mut schema: Value) -> Value {
    let is_null = |v: &Value| v == "null" || v.is_null() || v.get("type") == Some(&json!("null"));
    let only_other = schema
        .get("anyOf")
        .and_then(Value::as_array)
        .and_then(|any_of| {
            let mut others = any_of.iter().filter(|s| !is_null(s));
            match (others.next(), others.next()) {
                (Some(only), None) => Some(without_null(only.clone())),
                _ => None,
            }
        });
    if let Some(mut only) = only_other {
        if let (Some(merged), Some(siblings)) = (only.as_object_mut(), schema.as_object()) {
            for (key, value) in siblings.iter().filter(|(k, _)| *k != "anyOf") {
                merged.insert(key.clone(), value.clone());
            }
        }
        schema = only;
    }
    if schema.get("default").is_some_and(Value::is_null) {
        schema.as_object_mut().map(|s| s.remove("default"));
    }
    for list in ["type", "enum"] {
        if let Some(Value::Array(values)) = schema.get_mut(list) {
            values.retain(|v| !is_null(v));
            if list == "type" && values.len() == 1 {
                schema[list] = values[0].clone();
            }
        }
    }
    schema
}

/// Each operation's contract. Exhaustive: a new operation in the table does not build until it
/// says what it takes and answers.
fn contract(
    name: OperationName,
    rq: &mut SchemaGenerator,
    an: &mut SchemaGenerator,
    qs: &mut SchemaGenerator,
) -> Contract {
    use crate::order_list;
    use crate::{cases, outreach, recommend, review, shop, shopper, survey, token, webhook};
    use crate::{catalog, connectors, events, feedback, health, merchant, moderation, order};
    use OperationName as Op;
    let c = Contract::new();
    match name {
        Op::Health => c
            .answers::<health::Health>(200, an)
            .answers::<health::Health>(503, an),
        // This document, whose schema is OpenAPI's own.
        Op::OpenApi => c.answers::<Map<String, Value>>(200, an),
        Op::AdminPage => c.answers_text(200, "text/html"),
        Op::Loader => c.answers_text(200, "text/javascript"),
        Op::Asset => c.answers_text(200, "application/octet-stream"),
        Op::Module => c.answers_text(200, "application/octet-stream"),
        Op::CreateReview => c
            .idempotent()
            .takes::<review::NewReview>(rq)
            .answers::<review::ReviewCreated>(201, an)
            .answers::<review::Received>(202, an),
        Op::VoteReview => c
            .idempotent()
            .takes::<feedback::NewVote>(rq)
            .answers::<feedback::VoteCounted>(200, an),
        Op::ReportReview => c
            .idempotent()
            .takes::<feedback::NewReport>(rq)
            .answers::<review::Received>(202, an),
        Op::LookUpOrder => c
            .takes::<order::Lookup>(rq)
            .answers::<order::Tracked>(200, an),
        Op::TrackOrder => c
            .takes::<order::TrackRequest>(rq)
            .answers::<order::Tracked>(200, an),
        Op::ReceiveEvents => c
            .takes_as::<events::EventBatch>(&[JSON, "text/plain"], rq)
            .answers::<events::EventsReceived>(202, an),
        Op::OpenSurvey => c
            .takes::<survey::SurveyOpen>(rq)
            .answers::<survey::SurveyOpened>(200, an),
        Op::AnswerSurvey => c
            .idempotent()
            .takes::<survey::SurveySubmission>(rq)
            .answers::<survey::SurveyOpened>(200, an),
        Op::RecentlyViewed => c
            .query::<recommend::RecentlyViewedQuery>(qs)
            .answers::<recommend::RecentlyViewed>(200, an),
        Op::ListReviews => c
            .query::<review::ReviewListQuery>(qs)
            .answers::<crate::questions::ReviewListing>(200, an),
        Op::AskQuestion => c
            .idempotent()
            .takes::<crate::questions::NewQuestion>(rq)
            .answers::<crate::questions::QuestionReceived>(201, an)
            .answers::<review::Received>(202, an),
        Op::VoteQuestion => c
            .idempotent()
            .takes::<feedback::NewVote>(rq)
            .answers::<feedback::VoteCounted>(200, an),
        Op::ListQuestions => c
            .query::<crate::questions::QuestionListQuery>(qs)
            .answers::<crate::questions::QuestionPage>(200, an),
        Op::ListQuestionsForModeration => c
            .query::<crate::questions::MerchantQuestionQuery>(qs)
            .answers::<crate::questions::MerchantQuestionPage>(200, an),
        Op::AnswerQuestion => c
            .takes::<crate::questions::AnswerUpdate>(rq)
            .answers::<crate::questions::MerchantQuestion>(200, an),
        Op::RejectQuestion => c.answers::<crate::questions::MerchantQuestion>(200, an),
        Op::ReviewsJsonLd => c
            .query::<review::ProductPageQuery>(qs)
            .answers_as(200, "application/ld+json", json!({
                "type": "object",
                "description": "A schema.org Product with its AggregateRating and its newest reviews (`jsonld.rs`).",
                "required": ["@context", "@type", "aggregateRating"],
            }))
            .answers_nothing(204),
        Op::ReviewsHtml => c
            .query::<review::ProductPageQuery>(qs)
            .answers_text(200, "text/html"),
        Op::GoogleReviewFeed => c.answers_text(200, "application/xml"),
        Op::ReviewPhoto | Op::ReviewPhotoThumbnail | Op::GetPhoto | Op::GetPhotoThumbnail => {
            c.answers_as(200, "image/*", json!({ "type": "string", "format": "binary" }))
        }
        Op::UploadPhoto => c
            .idempotent()
            .takes::<crate::photos::NewPhoto>(rq)
            .answers::<crate::photos::PhotoReceived>(201, an),
        Op::PhotoCopies => c.answers::<merchant::PhotoCopies>(200, an),
        Op::ApprovePhoto | Op::RejectPhoto => c.answers::<merchant::MerchantReview>(200, an),
        Op::Recommendations => c
            .query::<recommend::RecommendationsQuery>(qs)
            .answers::<recommend::Recommendations>(200, an),
        Op::ListReviewsForModeration => c
            .query::<merchant::MerchantReviewQuery>(qs)
            .answers::<merchant::MerchantReviewPage>(200, an),
        Op::ExportReviewsCsv => c.answers_text(200, "text/csv"),
        Op::ImportOrders => c
            .query::<crate::order_import::OrderImportQuery>(qs)
            .takes_json_lines_or_csv()
            .answers::<crate::order_import::OrderImportReport>(200, an),
        Op::ImportReviewsCsv => c
            .takes_csv()
            .answers::<merchant::ImportReport>(200, an),
        Op::GetReview => c.answers::<merchant::MerchantReview>(200, an),
        Op::ApproveReview => c.answers::<merchant::MerchantReview>(200, an),
        Op::RejectReview => c
            .takes::<merchant::Rejection>(rq)
            .answers::<merchant::MerchantReview>(200, an),
        Op::PutReply => c
            .takes::<merchant::ReplyUpdate>(rq)
            .answers::<merchant::MerchantReview>(200, an),
        Op::DeleteReply => c.answers::<merchant::MerchantReview>(200, an),
        Op::GetModerationPolicy => c.answers::<moderation::ModerationPolicy>(200, an),
        Op::PutModerationPolicy => c
            .takes::<moderation::ModerationPolicyUpdate>(rq)
            .answers::<moderation::ModerationPolicy>(200, an),
        Op::ModerationLog => c
            .query::<merchant::ModerationLogQuery>(qs)
            .answers::<merchant::ModerationLogPage>(200, an),
        Op::MintToken => c
            .takes::<token::TokenRequest>(rq)
            .answers::<token::MintedToken>(201, an),
        Op::ListSecrets => c.answers::<token::SecretList>(200, an),
        Op::CreateSecret => c.answers::<token::CreatedSecret>(201, an),
        Op::RetireSecret => c.answers_nothing(204),
        Op::ListOrders => c
            .query::<order_list::OrderListQuery>(qs)
            .answers::<order_list::OrderPage>(200, an),
        Op::ShipmentsNeedingAttention => c
            .query::<order_list::AttentionQuery>(qs)
            .answers::<order_list::AttentionPage>(200, an),
        Op::GetOrder => c.answers::<order::OrderView>(200, an),
        Op::PutOrder => c
            .takes::<order::OrderUpsert>(rq)
            .answers::<order::OrderView>(200, an),
        Op::AddOrderEvents => c
            .takes::<order::NewEvents>(rq)
            .answers::<order::EventsAdded>(200, an),
        Op::OrderLinks => c.answers::<order::OrderLinks>(201, an),
        Op::GetWebhook => c.answers::<webhook::WebhookInfo>(200, an),
        Op::PutWebhook => c
            .takes::<webhook::WebhookUpdate>(rq)
            .answers::<webhook::WebhookCreated>(200, an),
        Op::DeleteWebhook => c.answers_nothing(204),
        Op::WebhookDeliveries => c.answers::<webhook::WebhookDeliveries>(200, an),
        Op::ListCatalog => c.query::<catalog::CatalogQuery>(qs).answers::<catalog::CatalogPage>(200, an),
        Op::PutCatalog => c
            .takes::<catalog::CatalogUpload>(rq)
            .answers::<catalog::CatalogReport>(200, an),
        Op::GetSurveySettings => c.answers::<survey::SurveySettings>(200, an),
        Op::PutSurveySettings => c
            .takes::<survey::SurveySettingsUpdate>(rq)
            .answers::<survey::SurveySettings>(200, an),
        Op::ListSurveyResponses => c
            .query::<survey::SurveyResponseQuery>(qs)
            .answers::<survey::SurveyResponsePage>(200, an),
        Op::ExportSurveyResponsesCsv => c.answers_text(200, "text/csv"),
        Op::SatisfactionReport => c
            .query::<survey::SatisfactionQuery>(qs)
            .answers::<survey::SatisfactionReport>(200, an),
        Op::RecommendationReport => c
            .query::<recommend::RecommendationReportQuery>(qs)
            .answers::<recommend::RecommendationReport>(200, an),
        Op::GetShop => c.answers::<shop::ShopSettings>(200, an),
        Op::PutShop => c
            .takes::<shop::ShopUpdate>(rq)
            .answers::<shop::ShopSettings>(200, an),
        // Everything kept about the shopper, table by table: its shape follows the tables.
        Op::ExportShopper => c
            .takes::<shopper::ShopperRequest>(rq)
            .answers::<Map<String, Value>>(200, an),
        Op::DeleteShopper => c
            .takes::<shopper::ShopperRequest>(rq)
            .answers::<shopper::DeletionReport>(200, an),
        Op::ListKeys => c.answers::<shop::ApiKeyList>(200, an),
        Op::CreateKey => c
            .takes::<shop::NewApiKey>(rq)
            .answers::<shop::CreatedApiKey>(201, an),
        Op::RevokeKey => c.answers_nothing(204),
        Op::ReceiveShopifyWebhook => c
            .takes_as::<Map<String, Value>>(&[JSON], rq)
            .answers::<connectors::DeliveryTaken>(200, an),
        // A form post is WooCommerce's unsigned ping when a webhook is saved.
        Op::ReceiveWooCommerceWebhook => c
            .takes_as::<Map<String, Value>>(&[JSON, "application/x-www-form-urlencoded"], rq)
            .answers::<connectors::DeliveryTaken>(200, an),
        Op::ListConnectors => c.answers::<connectors::ConnectorList>(200, an),
        Op::PutConnector => c
            .takes::<connectors::ConnectorUpdate>(rq)
            .answers::<connectors::ConnectorList>(200, an),
        Op::DeleteConnector => c.answers_nothing(204),
        Op::GetOutreachSettings => c.answers::<outreach::settings::OutreachSettings>(200, an),
        Op::PutOutreachSettings => c
            .takes::<outreach::settings::OutreachSettingsUpdate>(rq)
            .answers::<outreach::settings::OutreachSettings>(200, an),
        Op::OutreachReport => c.answers::<outreach::OutreachReport>(200, an),
        Op::UnsubscribePage => c
            .query::<outreach::UnsubscribeQuery>(qs)
            .answers_text(200, "text/html"),
        // RFC 8058's one-click body (`List-Unsubscribe=One-Click`); the token says who.
        Op::Unsubscribe => c
            .query::<outreach::UnsubscribeQuery>(qs)
            .takes_as::<Map<String, Value>>(&["application/x-www-form-urlencoded"], rq)
            .answers_text(200, "text/html"),
        Op::ReceiveResendEvent | Op::ReceivePostmarkEvent => c
            .takes_as::<Map<String, Value>>(&[JSON], rq)
            .answers::<outreach::provider_events::ProviderEventTaken>(200, an),
        Op::FileComplaint => c
            .idempotent()
            .takes::<cases::NewComplaint>(rq)
            .answers::<review::Received>(202, an),
        Op::ListCases => c
            .query::<cases::CaseListQuery>(qs)
            .answers::<cases::CasePage>(200, an),
        Op::GetCaseSettings => c.answers::<cases::CaseSettings>(200, an),
        Op::PutCaseSettings => c
            .takes::<cases::CaseSettings>(rq)
            .answers::<cases::CaseSettings>(200, an),
        Op::GetCase => c.answers::<cases::CaseView>(200, an),
        Op::PutCase => c
            .takes::<cases::CaseUpdate>(rq)
            .answers::<cases::CaseView>(200, an),
        Op::AddCaseNote => c
            .takes::<cases::NewCaseNote>(rq)
            .answers::<cases::CaseView>(201, an),
        Op::AnswerCase => c
            .takes::<cases::NewCaseAnswer>(rq)
            .answers::<cases::CaseView>(201, an),
        Op::CaseReport => c
            .query::<cases::CaseReportQuery>(qs)
            .answers::<cases::CaseReport>(200, an),
        Op::OverviewReport => c
            .query::<crate::overview::OverviewQuery>(qs)
            .answers::<crate::overview::OverviewReport>(200, an),
    }
}

/// The error answers an operation may give, by what its access class checks. Every error is an
/// `ErrorBody` whose `code` names it (each code has one status).
fn error_statuses(access: Access) -> &'static [u16] {
    match access {
        Access::Own | Access::Widget => &[404, 405, 500, 503],
        Access::PublicRead => &[400, 404, 405, 429, 500, 503],
        Access::ShopPage { .. } => &[400, 403, 404, 405, 409, 413, 415, 422, 429, 500, 503],
        Access::Merchant => &[400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500, 503],
        Access::Platform => &[400, 401, 404, 405, 409, 413, 415, 422, 500, 503],
    }
}

fn operation(
    route: &Route,
    name: OperationName,
    scope: ApiKeyScope,
    contract: Contract,
    answers: &mut SchemaGenerator,
) -> Value {
    let mut op = Map::new();
    op.insert("operationId".into(), json!(operation_id(name)));
    let mut parameters: Vec<Value> = Vec::new();
    for segment in route.path.split('/') {
        if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            parameters.push(json!({
                "name": name, "in": "path", "required": true,
                "schema": { "type": "string" },
            }));
        }
    }
    for (name, schema, description) in contract.query {
        let mut parameter = json!({ "name": name, "in": "query", "schema": schema });
        if let Some(description) = description {
            parameter["description"] = description;
        }
        parameters.push(parameter);
    }
    if contract.idempotent {
        parameters.push(json!({
            "name": "Idempotency-Key", "in": "header", "required": true,
            "description": "A UUID chosen by the client, the same on every retry of this write.",
            "schema": { "type": "string", "format": "uuid" },
        }));
    }
    let platform = match name {
        OperationName::ReceiveShopifyWebhook => Some(crate::connectors::Platform::Shopify),
        OperationName::ReceiveWooCommerceWebhook => Some(crate::connectors::Platform::WooCommerce),
        _ => None,
    };
    if let Some(headers) = platform.map(crate::connectors::Platform::headers) {
        let mut described = vec![
            (
                headers.signature,
                true,
                "Base64 HMAC-SHA256 of the raw body with the shop's secret for the platform.",
            ),
            (
                headers.delivery,
                true,
                "The platform's id for the delivery: one taken before changes nothing.",
            ),
            (
                headers.topic,
                true,
                "What the body is: `orders/updated`, `order.updated`, …",
            ),
        ];
        if let Some(event) = headers.event {
            described.push((
                event,
                false,
                "The platform's id for the event: another delivery of it under the same topic \
                 changes nothing.",
            ));
        }
        for (header, required, description) in described {
            parameters.push(json!({
                "name": header, "in": "header", "required": required,
                "description": description, "schema": { "type": "string" },
            }));
        }
    }
    if matches!(route.access, Access::ShopPage { .. }) {
        parameters.push(json!({
            "name": "Origin", "in": "header", "required": true,
            "description": "The shopper's page: one of the shop's allowed origins.",
            "schema": { "type": "string" },
        }));
    }
    if !parameters.is_empty() {
        op.insert("parameters".into(), Value::Array(parameters));
    }
    if let Some((types, schema)) = &contract.request {
        let content: Map<String, Value> = types
            .iter()
            .map(|t| ((*t).to_owned(), json!({ "schema": schema })))
            .collect();
        op.insert(
            "requestBody".into(),
            json!({ "required": true, "content": content }),
        );
    }
    if route.access == Access::Merchant {
        op.insert("security".into(), json!([{ "merchantKey": [] }]));
        op.insert("x-memnun-scope".into(), json!(scope.as_str()));
    }
    let mut responses = Map::new();
    for (status, content_type, schema) in &contract.answers {
        let mut response = Map::new();
        response.insert("description".into(), json!(reason(*status)));
        if !content_type.is_empty() {
            response.insert(
                "content".into(),
                json!({ *content_type: { "schema": schema } }),
            );
        }
        responses.insert(status.to_string(), Value::Object(response));
    }
    let error: Value = answers.subschema_for::<ErrorBody>().into();
    for status in error_statuses(route.access) {
        responses.entry(status.to_string()).or_insert_with(|| {
            json!({
                "description": reason(*status),
                "content": { JSON: { "schema": error.clone() } },
            })
        });
    }
    op.insert("responses".into(), Value::Object(responses));
    Value::Object(op)
}

/// `CreateReview` → `createReview`.
pub fn operation_id(name: OperationName) -> String {
    let debug = format!("{name:?}");
    let mut chars = debug.chars();
    chars
        .next()
        .map(|first| first.to_ascii_lowercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        503 => "Service Unavailable",
        _ => "Internal Server Error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn every_route_operation_and_error_code_is_in_the_document() {
        let doc = document();
        for route in ROUTES {
            for op in route.operations {
                let method = op.method.as_str().to_ascii_lowercase();
                let found = &doc["paths"][route.path][&method];
                assert_eq!(
                    found["operationId"],
                    json!(operation_id(op.name)),
                    "{method} {}",
                    route.path
                );
                assert!(
                    found["responses"]
                        .as_object()
                        .is_some_and(|r| !r.is_empty())
                );
            }
        }
        let codes = doc["components"]["schemas"]["ErrorCode"].to_string();
        for code in ErrorCode::ALL {
            let name = serde_json::to_string(&code).unwrap();
            assert!(
                codes.contains(&name),
                "ErrorCode {name} is not in the document"
            );
        }
        let text = serde_json::to_string(&doc).unwrap();
        assert!(!text.contains("#/$defs/"), "a reference outside components");
    }
}
