//! What an auth server reads on every login, and what a user's own page lists:
//! - token claims (`GET /v1/organizations/{id}/claims?user_id=`) over HTTP, 16 clients, in an
//!   organization of 100,000 members and 1,000 groups, against pgbench running the same SQL;
//! - a user's memberships across 1,000 organizations (`GET /v1/users/{id}/memberships`), the
//!   first page against a page deep in the list.

use std::collections::BTreeSet;
use std::sync::Arc;

use command_service::app::{groups, memberships, organizations};
use command_service::CommandState;
use domain::membership::Subject;
use domain::organization::CreateOrganization;
use domain::values::{Attributes, GroupName, OrganizationName, RoleSlug, SubjectId};
use domain::{GroupId, MembershipId, OrganizationId, RequestContext};
use embedded_postgres::{Binaries, PostgresServer};
use futures::StreamExt;
use serde_json::Value;
use sqlx::PgPool;
use store::EventRepository;

use crate::{http, reads, task, Bench, BenchError, Row};

const MEMBERS: i64 = 100_000;
const GROUPS: usize = 1_000;
/// Members of each group (the first 20,000 members, 20 to a group).
const GROUP_SIZE: usize = 20;
/// Organizations the one user belongs to.
const ORGANIZATIONS: usize = 1_000;
const MULTI_USER: &str = "user-of-many";

pub async fn measure(
    args: &Bench,
    server: &PostgresServer,
    bins: &Binaries,
    pool: &PgPool,
) -> Result<Vec<Row>, BenchError> {
    eprintln!("claims: importing {MEMBERS} members, {GROUPS} groups of {GROUP_SIZE} …");
    let org = reads::seed(args, pool, MEMBERS).await?;
    let state = CommandState::new(EventRepository::new(pool.clone()));
    let ctx = RequestContext::system("bench");
    let org_id: OrganizationId = org.parse().map_err(task)?;
    let members: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM rm_memberships WHERE organization_id = $1 ORDER BY user_id LIMIT $2",
    )
    .bind(&org)
    .bind((GROUPS * GROUP_SIZE) as i64)
    .fetch_all(pool)
    .await?;
    let made: Vec<Result<(), BenchError>> = futures::stream::iter(0..GROUPS)
        .map(|g| {
            let (state, ctx, members) = (&state, &ctx, &members);
            async move {
                let name = GroupName::parse(&format!("group {g}")).map_err(task)?;
                let group = groups::create(state, ctx, &org_id, name, None)
                    .await
                    .map_err(task)?;
                let id: GroupId = group.object.id;
                for m in members.iter().skip(g * GROUP_SIZE).take(GROUP_SIZE) {
                    let m: MembershipId = m.parse().map_err(task)?;
                    groups::add_member(state, ctx, &id, &m)
                        .await
                        .map_err(task)?;
                }
                Ok(())
            }
        })
        .buffer_unordered(args.clients)
        .collect()
        .await;
    made.into_iter().collect::<Result<Vec<()>, _>>()?;

    eprintln!("claims: one user in {ORGANIZATIONS} organizations …");
    let user = SubjectId::parse(MULTI_USER).map_err(task)?;
    let member = RoleSlug::parse("member").map_err(task)?;
    let joined: Vec<Result<(), BenchError>> = futures::stream::iter(0..ORGANIZATIONS)
        .map(|o| {
            let (state, ctx, user, member) = (&state, &ctx, &user, &member);
            async move {
                let id = OrganizationId::new();
                let input = CreateOrganization {
                    id,
                    name: OrganizationName::parse(&format!("Org {o}")).map_err(task)?,
                    description: None,
                    external_id: None,
                    metadata: Default::default(),
                    max_members: None,
                    template_roles: None,
                    at: chrono::Utc::now(),
                };
                organizations::create(state, ctx, input)
                    .await
                    .map_err(task)?;
                let input = memberships::NewMembership {
                    subject: Subject::User(user.clone()),
                    roles: BTreeSet::from([member.clone()]),
                    attributes: Attributes::default(),
                };
                let source = domain::membership::MembershipSource::Api;
                memberships::join(state, ctx, &id, input, source)
                    .await
                    .map_err(task)?;
                Ok(())
            }
        })
        .buffer_unordered(args.clients)
        .collect()
        .await;
    joined.into_iter().collect::<Result<Vec<()>, _>>()?;
    reads::project(pool).await?;
    for table in [
        "rm_memberships",
        "rm_group_members",
        "rm_groups",
        "rm_roles",
    ] {
        sqlx::query(&format!("ANALYZE {table}"))
            .execute(pool)
            .await?;
    }

    let (base, handle) = http::serve(args, &server.url("bench"), false)?;
    let key = http::key(pool, true).await?;
    eprintln!("claims: over HTTP, {} clients …", args.clients);
    let claims_url = Arc::new(format!(
        "{base}/v1/organizations/{org}/claims?user_id=user-"
    ));
    let claims_http = http::rate(args, &key, move |client, n| {
        // Any of the members, in a scattered order.
        let user = (n.wrapping_mul(2_654_435_761) >> 3) % MEMBERS as usize;
        let request = client.get(format!("{claims_url}{user}"));
        async move {
            let res = request.send().await.map_err(|e| e.to_string())?;
            let status = res.status();
            let body: Value = res.json().await.map_err(|e| e.to_string())?;
            if !status.is_success() || body["roles"].as_array().is_none_or(|r| r.is_empty()) {
                return Err(format!("claims: HTTP {status}: {body}"));
            }
            Ok(())
        }
    })
    .await?;

    // A user's memberships: the first page and the tenth (after 900 of 1,000), by the API's
    // own cursors.
    let client = reqwest::Client::new();
    let first = format!("{base}/v1/users/{MULTI_USER}/memberships?limit=100");
    let mut deep = first.clone();
    for _ in 0..9 {
        let page: Value = client
            .get(&deep)
            .bearer_auth(&key)
            .send()
            .await
            .map_err(task)?
            .json()
            .await
            .map_err(task)?;
        let after = page["list_metadata"]["after"]
            .as_str()
            .ok_or_else(|| task(format!("the user's list ended early: {page}")))?;
        deep = format!("{first}&after={after}");
    }
    let user_page = |url: String| {
        let url = Arc::new(url);
        http::rate(args, &key, move |client, _| {
            let request = client.get(url.as_str());
            async move {
                let res = request.send().await.map_err(|e| e.to_string())?;
                let body: Value = res.json().await.map_err(|e| e.to_string())?;
                match body["data"].as_array() {
                    Some(rows) if rows.len() == 100 => Ok(()),
                    _ => Err(format!("a page of a user's memberships: {body}")),
                }
            }
        })
    };
    eprintln!("claims: a user's memberships, first page and deep …");
    let first_page = user_page(first).await?;
    let deep_page = user_page(deep).await?;
    handle.stop(true).await;

    eprintln!("claims: pgbench, same SQL …");
    // The API's own query (pgbench reads a statement over several lines, to its semicolon).
    let sql = format!(
        "\\set n random(0, {})\n{}'{org}' AND m.user_id = 'user-' || :n;\n",
        MEMBERS - 1,
        read_models::memberships::CLAIMS,
    );
    let claims_sql = reads::pgbench_select(args, server, bins, &sql)?;

    Ok(vec![
        Row {
            name: "token claims (HTTP, 100k members, 1,000 groups)",
            roster: claims_http,
            baseline_name: "pgbench same SELECT",
            baseline: claims_sql,
            unit: "reads/s",
            note: None,
        },
        Row {
            name: "a user's memberships, page 10 vs page 1 (1,000 orgs)",
            roster: deep_page,
            baseline_name: "page 1 (HTTP)",
            baseline: first_page,
            unit: "pages/s",
            note: None,
        },
    ])
}
