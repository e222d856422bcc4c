//! Who is signed in, as the pages need to know it (the server checks again on every call).
use hocvuso::Error;
use hocvuso::auth::AccountActor;
use leptos::prelude::*;

pub async fn whoami() -> Result<Option<AccountActor>, Error> {
    Ok(crate::state::actor().account().ok().cloned())
}

/// The signed-in account, loaded once per page and shared by the components below.
pub type Session = Resource<Result<Option<AccountActor>, Error>>;

pub fn provide_session() -> Session {
    let session = Resource::new(|| (), |_| whoami());
    provide_context(session);
    session
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}
