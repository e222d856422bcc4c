//! Who is asking, and what they may do. Plain data (it also compiles to wasm); the checks are
//! made on the server by every page, form post and REST handler — the UI hiding a button is not a check.
use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{Error, Result};

/// In JSON and in the database as `as_str` spells it ("admin", "organiser").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "server", derive(sea_orm::DeriveActiveEnum, sea_orm::EnumIter))]
#[cfg_attr(feature = "server", sea_orm(rs_type = "String", db_type = "Text"))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The whole country, or one province (`AccountActor::province`): accounts, targets; sees
    /// everything there. Courses, platforms, tokens and the audit log are the country admin's.
    #[cfg_attr(feature = "server", sea_orm(string_value = "admin"))]
    Admin,
    /// Registers and edits only inside their communes and organisations.
    #[cfg_attr(feature = "server", sea_orm(string_value = "organiser"))]
    Organiser,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Organiser => "organiser",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        [Role::Admin, Role::Organiser].into_iter().find(|role| role.as_str() == text)
    }
}

/// What an API token of another system may do; in JSON and the database "ingest" or "read-stats".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "server", derive(sea_orm::DeriveActiveEnum, sea_orm::EnumIter))]
#[cfg_attr(feature = "server", sea_orm(rs_type = "String", db_type = "Text"))]
#[serde(rename_all = "kebab-case")]
pub enum TokenScope {
    /// Push enrolments and completions.
    #[cfg_attr(feature = "server", sea_orm(string_value = "ingest"))]
    Ingest,
    /// Read statistics.
    #[cfg_attr(feature = "server", sea_orm(string_value = "read-stats"))]
    ReadStats,
}

impl TokenScope {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenScope::Ingest => "ingest",
            TokenScope::ReadStats => "read-stats",
        }
    }

    pub fn parse(text: &str) -> Option<TokenScope> {
        [TokenScope::Ingest, TokenScope::ReadStats].into_iter().find(|scope| scope.as_str() == text.trim())
    }
}

/// The communes and organisations an organiser works in (and so their teams and learners).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Scope {
    pub communes: BTreeSet<i32>,
    pub organisations: BTreeSet<Uuid>,
}

impl Scope {
    /// True when a thing placed in `commune` (and perhaps `organisation`) is inside this scope.
    pub fn covers(&self, commune: i32, organisation: Option<Uuid>) -> bool {
        self.communes.contains(&commune) || organisation.is_some_and(|o| self.organisations.contains(&o))
    }

    pub fn is_empty(&self) -> bool {
        self.communes.is_empty() && self.organisations.is_empty()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountActor {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// A province admin's province; None for a country admin (and for organisers).
    #[serde(default)]
    pub province: Option<i32>,
    /// An organiser's communes and organisations; a province admin's are every commune of the province.
    pub scope: Scope,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenActor {
    pub id: Uuid,
    pub name: String,
    pub scope: TokenScope,
}

/// The header (and, in a form post, the field `outbox_account`) naming the account an outbox entry
/// was typed under; a refusal names it as the field.
pub const OUTBOX_ACCOUNT: &str = "Outbox-Account";

/// The one who makes a request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Actor {
    #[default]
    Anonymous,
    Account(AccountActor),
    Token(TokenActor),
}

impl Actor {
    /// An entry of a phone's outbox is sent only by the account it was typed under (a shared phone,
    /// someone else signed in meanwhile): `claimed` is that account's username, when the entry names one.
    pub fn check_outbox_account(&self, claimed: Option<&str>) -> Result<()> {
        match (self, claimed.map(str::trim).filter(|c| !c.is_empty())) {
            (Actor::Account(account), Some(claimed)) if account.username != claimed => {
                Err(Error::invalid(OUTBOX_ACCOUNT, crate::i18n::Text::OutboxOtherAccount))
            }
            _ => Ok(()),
        }
    }

    /// A signed-in person; 401 for nobody, 403 for a machine token.
    pub fn account(&self) -> Result<&AccountActor> {
        match self {
            Actor::Account(account) => Ok(account),
            Actor::Anonymous => Err(Error::Unauthorized),
            Actor::Token(_) => Err(Error::Forbidden),
        }
    }

    /// A country or a province admin.
    pub fn require_admin(&self) -> Result<&AccountActor> {
        let account = self.account()?;
        if account.role == Role::Admin { Ok(account) } else { Err(Error::Forbidden) }
    }

    /// An admin of the whole country: what is shared by every province (courses, platforms, tokens, audit).
    pub fn require_country_admin(&self) -> Result<&AccountActor> {
        let account = self.require_admin()?;
        if account.province.is_none() { Ok(account) } else { Err(Error::Forbidden) }
    }

    /// True for a country admin: no commune, organisation or province is outside what they see.
    pub fn sees_everything(&self) -> bool {
        matches!(self, Actor::Account(a) if a.role == Role::Admin && a.province.is_none())
    }

    /// The one province a province admin may see; None for everyone else.
    pub fn province_limit(&self) -> Option<i32> {
        match self {
            Actor::Account(a) if a.role == Role::Admin => a.province,
            _ => None,
        }
    }

    /// The scope that limits an organiser's figures; None for admins (a province admin is limited
    /// by `province_limit`, not by a scope) and tokens.
    pub fn organiser_scope(&self) -> Option<&Scope> {
        match self {
            Actor::Account(a) if a.role == Role::Organiser => Some(&a.scope),
            _ => None,
        }
    }

    /// Only a machine client with `scope` (the LRS): 401 for nobody, 403 for anyone else.
    pub fn require_token(&self, scope: TokenScope) -> Result<&TokenActor> {
        match self {
            Actor::Anonymous => Err(Error::Unauthorized),
            Actor::Token(token) if token.scope == scope => Ok(token),
            _ => Err(Error::Forbidden),
        }
    }

    /// An admin, an organiser, or a token with `scope`.
    pub fn require_account_or_token(&self, scope: TokenScope) -> Result<()> {
        match self {
            Actor::Anonymous => Err(Error::Unauthorized),
            Actor::Account(_) => Ok(()),
            Actor::Token(token) if token.scope == scope => Ok(()),
            Actor::Token(_) => Err(Error::Forbidden),
        }
    }

    /// True for country admins, and for province admins and organisers whose scope covers the place.
    pub fn may_manage(&self, commune: i32, organisation: Option<Uuid>) -> bool {
        match self {
            Actor::Account(account) => self.sees_everything() || account.scope.covers(commune, organisation),
            _ => false,
        }
    }

    /// What this actor may see, as a key: two actors with the same key get the same figures.
    pub fn visibility(&self) -> String {
        match self {
            Actor::Anonymous => "anonymous".into(),
            Actor::Account(account) if account.role == Role::Admin => match account.province {
                None => "admin".into(),
                Some(province) => format!("admin:{province}"),
            },
            Actor::Account(account) => format!("organiser:{:?}", account.scope),
            Actor::Token(token) => format!("token:{}", token.scope.as_str()),
        }
    }

    /// How the audit log names this actor.
    pub fn label(&self) -> String {
        match self {
            Actor::Anonymous => "anonymous".into(),
            Actor::Account(account) => account.username.clone(),
            Actor::Token(token) => format!("token:{}", token.name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn organiser(communes: &[i32], organisations: &[Uuid]) -> Actor {
        Actor::Account(AccountActor {
            id: Uuid::nil(),
            username: "to_chuc".into(),
            display_name: "Tổ chức".into(),
            role: Role::Organiser,
            province: None,
            scope: Scope {
                communes: communes.iter().copied().collect(),
                organisations: organisations.iter().copied().collect(),
            },
        })
    }

    #[test]
    fn organiser_manages_only_inside_their_scope() {
        let school = Uuid::from_u128(7);
        let actor = organiser(&[4465], &[school]);
        assert!(actor.may_manage(4465, None));
        assert!(actor.may_manage(70, Some(school)), "an organisation in scope counts wherever it sits");
        assert!(!actor.may_manage(70, None));
        assert!(!actor.may_manage(70, Some(Uuid::from_u128(8))));
        assert_eq!(actor.require_admin(), Err(Error::Forbidden));
    }

    #[test]
    fn anonymous_is_unauthorised_and_tokens_are_forbidden_for_people_routes() {
        assert_eq!(Actor::Anonymous.account(), Err(Error::Unauthorized));
        let token = Actor::Token(TokenActor { id: Uuid::nil(), name: "moodle".into(), scope: TokenScope::Ingest });
        assert_eq!(token.account(), Err(Error::Forbidden));
        assert_eq!(token.require_account_or_token(TokenScope::ReadStats), Err(Error::Forbidden));
        assert_eq!(token.require_account_or_token(TokenScope::Ingest), Ok(()));
        assert!(!token.may_manage(4465, None));
    }
}
