//! Signed links: the shop's rotating token secrets (`/v1/admin/secrets`), minting tokens
//! (`POST /v1/admin/tokens`), and verifying the tokens shoppers bring. The newest active secret
//! signs; every active one verifies, so links already sent keep working until their secret is
//! retired.

use crate::handlers::Context;
use crate::platform::error::ApiError;
use crate::platform::http::{self, BodyType};
use crate::platform::secure::random_hex;
use crate::store::token_secrets::{self, TokenSecret};
use memnun_protocol::token::{
    self, CreatedSecret, MintedToken, Purpose, SecretInfo, TokenClaims, TokenError, TokenRequest,
};
use memnun_protocol::{FieldErrors, FieldProblem, Id};
use worker::{D1Database, Request, Response};

const MAX_REQUEST_BYTES: usize = 1024;

/// Checks a shopper's token for `purpose` in `shop` at `now_ms`.
pub async fn verify(
    db: &D1Database,
    shop: &Id,
    token: &str,
    purpose: Purpose,
    now_ms: i64,
) -> Result<Result<TokenClaims, TokenError>, ApiError> {
    let rows = token_secrets::all(db, shop).await?;
    Ok(token::verify(
        token,
        purpose,
        shop.as_str(),
        now_ms.div_euclid(1000),
        |kid| {
            rows.iter()
                .find(|r| r.kid == kid && r.retired_at.is_none())
                .map(|r| r.secret.as_bytes().to_vec())
        },
    ))
}

/// The shop's signing secret, loaded once to mint several tokens (an order's links).
pub struct Signer {
    shop: String,
    kid: String,
    secret: String,
}

impl Signer {
    pub async fn load(db: &D1Database, shop: &Id) -> Result<Signer, ApiError> {
        let signing = token_secrets::all(db, shop)
            .await?
            .into_iter()
            .find(|r| r.retired_at.is_none())
            .ok_or_else(|| ApiError::Internal("shop has no active token secret".into()))?;
        Ok(Signer {
            shop: shop.to_string(),
            kid: signing.kid,
            secret: signing.secret,
        })
    }

    pub fn mint(
        &self,
        purpose: Purpose,
        order: &str,
        product: Option<&str>,
        ttl_days: u32,
        now_ms: i64,
    ) -> MintedToken {
        let claims = TokenClaims {
            purpose,
            shop: self.shop.clone(),
            order: order.to_owned(),
            product: product.map(str::to_owned),
            exp: now_ms.div_euclid(1000) + i64::from(ttl_days) * 86_400,
            kid: self.kid.clone(),
        };
        MintedToken {
            token: token::sign(&claims, self.secret.as_bytes()),
            expires_at: claims.exp,
            kid: claims.kid,
        }
    }
}

/// `POST /v1/admin/tokens`: a signed link for an order, with the newest active secret.
pub async fn mint(req: &mut Request, cx: &Context<'_>) -> Result<Response, ApiError> {
    let (db, shop, now_ms) = (&cx.db, &cx.shop, cx.now);
    let (request, _): (TokenRequest, _) =
        http::read_json(req, MAX_REQUEST_BYTES, BodyType::Json).await?;
    let (purpose, order, product, ttl_days) = request.validate().map_err(ApiError::Validation)?;
    let signer = Signer::load(db, shop).await?;
    http::json(
        201,
        &signer.mint(
            purpose,
            order.as_str(),
            product.as_ref().map(Id::as_str),
            ttl_days,
            now_ms,
        ),
    )
}

/// `GET /v1/admin/secrets`: ids and dates only, never the secrets.
pub async fn list(cx: &Context<'_>) -> Result<Response, ApiError> {
    let (db, shop) = (&cx.db, &cx.shop);
    let rows = token_secrets::all(db, shop).await?;
    let signing = rows
        .iter()
        .find(|r| r.retired_at.is_none())
        .map(|r| r.kid.clone());
    let list: Vec<SecretInfo> = rows
        .into_iter()
        .map(|r| SecretInfo {
            signing: Some(&r.kid) == signing.as_ref(),
            kid: r.kid,
            created_at: r.created_at,
            retired_at: r.retired_at,
        })
        .collect();
    http::json(200, &token::SecretList { secrets: list })
}

/// `POST /v1/admin/secrets`: a new secret that signs from now on, shown once.
pub async fn create(cx: &Context<'_>) -> Result<Response, ApiError> {
    let (db, shop, now_ms) = (&cx.db, &cx.shop, cx.now);
    let kid = format!("s{}", random_hex(4)?);
    let secret = random_hex(32)?;
    token_secrets::create(db, shop, &kid, &secret, now_ms).await?;
    http::json(201, &CreatedSecret { kid, secret })
}

/// `DELETE /v1/admin/secrets/{kid}`: tokens it signed stop working at once. The signing secret
/// cannot be retired (create a new one first), so the shop can always mint links.
pub async fn retire(cx: &Context<'_>, kid: &str) -> Result<Response, ApiError> {
    let (db, shop, now_ms) = (&cx.db, &cx.shop, cx.now);
    let rows = token_secrets::all(db, shop).await?;
    let active: Vec<&TokenSecret> = rows.iter().filter(|r| r.retired_at.is_none()).collect();
    if !active.iter().any(|r| r.kid == kid) {
        return Err(ApiError::NotFound("secret"));
    }
    if active.first().is_some_and(|r| r.kid == kid) {
        let mut errors = FieldErrors::default();
        errors.push("kid", FieldProblem::SigningSecret);
        return Err(ApiError::Validation(errors));
    }
    token_secrets::retire(db, shop, kid, now_ms).await?;
    Ok(Response::empty()?.with_status(204))
}
