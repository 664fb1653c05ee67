//! An organization's members: the table (roles, status, groups as badges, attributes) with
//! filters kept in the URL, adding a member, changing roles from a dropdown, deactivating,
//! reactivating and removing, the bulk role change on the selected rows; and a member's page with
//! a preview of its token claims.

use actix_web::http::StatusCode;
use actix_web::web;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use command_service::app::memberships::{self as app, Leave};
use command_service::app::role_assignment;
use command_service::input::memberships::{
    MembershipCreate, MembershipRolesChange, MembershipUpdate,
};
use domain::membership::Membership;
use domain::organization::Organization;
use domain::{MembershipId, OrganizationId};
use http_edge::Problem;
use paging::{List, Params};
use query_service::reads;
use read_models::groups::{GroupBadge, GroupRow};
use read_models::memberships::{ClaimsRow, MembershipRow};
use read_models::organizations::{OrganizationRow, RoleRow};
use serde_json::Value;
use store::log::AsOf;

use crate::form::{api_query, Form};
use crate::organizations::at;
use crate::page::{id, render, see_other, status, Chrome, ConsoleError, Feedback, Pager, Shown};
use crate::visitor::{Change, Visitor};
use crate::ConsoleState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/organizations/{id}/members", web::get().to(list))
        .route("/organizations/{id}/members", web::post().to(add))
        .route(
            "/organizations/{id}/members/roles",
            web::post().to(bulk_roles),
        )
        .route("/memberships/{id}", web::get().to(member))
        .route("/memberships/{id}/roles", web::post().to(set_roles))
        .route("/memberships/{id}/{action}", web::post().to(change_status));
}

/// A moment of the past, as pages name it.
pub fn moment(at: AsOf) -> String {
    match at {
        AsOf::Position(p) => format!("event #{p}"),
        AsOf::Time(t) => t.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
    }
}

/// `as_of` of a console query (a position or a time), as the single-object reads take it.
pub fn as_of_query(query: &str) -> Result<Option<AsOf>, ConsoleError> {
    let params = Params::from_query(&crate::form::only(query, &["as_of"]), &reads::AT)?;
    Ok(reads::as_of(&params))
}

/// A member as a table row shows it.
pub struct MemberView {
    pub row: MembershipRow,
    pub groups: Vec<GroupBadge>,
    pub attributes: Vec<(String, String)>,
}

impl MemberView {
    pub fn kind(&self) -> &'static str {
        if self.row.user_id.is_some() {
            "user"
        } else {
            "application"
        }
    }

    pub fn subject(&self) -> &str {
        (self.row.user_id.as_deref())
            .or(self.row.application_id.as_deref())
            .unwrap_or_default()
    }

    pub fn has_role(&self, slug: &str) -> bool {
        self.row.roles.iter().any(|r| r == slug)
    }
}

/// Attributes as `key=value` pairs, each value as JSON unless it is a plain string.
pub fn shown_attributes(attributes: &Value) -> Vec<(String, String)> {
    (attributes.as_object().into_iter().flatten())
        .map(|(k, v)| {
            let shown = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (k.clone(), shown)
        })
        .collect()
}

/// `key=value` lines as attributes: a value that reads as JSON (`10`, `true`, `"x"`, `[1]`)
/// keeps its type, any other is a string.
fn attributes(form: &Form) -> Result<serde_json::Map<String, Value>, Problem> {
    let pairs = form
        .lines("attributes")
        .map_err(|line| Problem::field("attributes", format!("line {line} is not key=value")))?;
    Ok(pairs
        .into_iter()
        .map(|(k, v)| {
            let value = serde_json::from_str(&v).unwrap_or(Value::String(v));
            (k, value)
        })
        .collect())
}

/// The member form as typed.
#[derive(Default)]
pub struct AddForm {
    pub kind: String,
    pub subject: String,
    pub roles: Vec<String>,
    pub attributes: String,
}

impl AddForm {
    fn typed(form: &Form) -> Self {
        Self {
            kind: form.typed("kind"),
            subject: form.typed("subject"),
            roles: form.all("roles"),
            attributes: form.typed("attributes"),
        }
    }

    pub fn has_role(&self, slug: &str) -> bool {
        self.roles.iter().any(|r| r == slug)
    }
}

#[derive(Template)]
#[template(path = "members.html")]
struct MembersPage {
    /// Set when the page shows the members as they were then.
    as_of: Option<String>,
    chrome: Chrome,
    org: OrganizationRow,
    tab: &'static str,
    members: Vec<MemberView>,
    pager: Pager,
    roles: Vec<RoleRow>,
    groups: Vec<GroupRow>,
    /// The filters as given.
    status: String,
    role: String,
    /// `direct` when the role filter reads the members' own roles only.
    role_source: String,
    group_id: String,
    attribute: String,
    /// The query string of the filters, carried by the row forms to come back to this view.
    filters: String,
    add: AddForm,
    feedback: Feedback,
    /// What a row or bulk action could not do.
    action_problem: Option<Feedback>,
}

async fn organization_and_catalogue(
    state: &ConsoleState,
    visitor: &Visitor,
    org: &OrganizationId,
    min_position: Option<i64>,
) -> Result<(OrganizationRow, Vec<RoleRow>, Vec<GroupRow>), ConsoleError> {
    let caller = &visitor.session.caller;
    let row = reads::organization_uncounted(&state.queries, caller, min_position, org).await?;
    let roles_params = Params::from_query("limit=100", &reads::ROLES)?;
    let roles = reads::roles_page(&state.queries, caller, &roles_params, org).await?;
    let groups_params = Params::from_query("limit=100", &reads::GROUPS)?;
    let groups = reads::groups_page(&state.queries, caller, &groups_params, org).await?;
    Ok((row, roles.data, groups.data))
}

/// Filters from the console's query (blank ones left out), as the API list takes them.
fn filters_of(query: &str) -> String {
    crate::form::only(
        query,
        &["status", "role", "role_source", "group_id", "attribute"],
    )
}

async fn members_page(
    state: &ConsoleState,
    visitor: &Visitor,
    org: &OrganizationId,
    query: &str,
    add: Shown<AddForm>,
    action_problem: Option<Feedback>,
) -> Result<HttpResponse, ConsoleError> {
    let caller = &visitor.session.caller;
    let api = api_query(query);
    let params = Params::from_query(&api, &reads::MEMBERSHIPS)?;
    let as_of = reads::as_of(&params);
    let (row, roles, groups) = match as_of {
        Some(at) => {
            let then = reads::as_of_typed::<Organization, OrganizationRow>(
                &state.queries,
                caller,
                &org.to_string(),
                at,
            )
            .await?;
            (then, Vec::new(), Vec::new())
        }
        None => organization_and_catalogue(state, visitor, org, params.min_position).await?,
    };
    let list: List<MembershipRow> =
        reads::memberships_page(&state.queries, caller, &params, org).await?;
    // Groups are shown as they are now: not beside members as they were.
    let mut badges = match as_of {
        Some(_) => Default::default(),
        None => reads::groups_of_memberships(&state.queries, &list.data).await?,
    };
    let pager = Pager::new(&format!("/organizations/{org}/members"), query, &list);
    let members = list
        .data
        .into_iter()
        .map(|row| MemberView {
            groups: badges.remove(&row.id).unwrap_or_default(),
            attributes: shown_attributes(&row.attributes),
            row,
        })
        .collect();
    let given: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
    let given = |name: &str| {
        (given.iter())
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut chrome = Chrome::new(visitor, "organizations", format!("{} · Members", row.name));
    // The past is only looked at.
    chrome.can_write &= as_of.is_none();
    let page = MembersPage {
        as_of: as_of.map(moment),
        chrome,
        org: row,
        tab: "members",
        members,
        pager,
        roles,
        groups,
        status: given("status"),
        role: given("role"),
        role_source: given("role_source"),
        group_id: given("group_id"),
        attribute: given("attribute"),
        filters: filters_of(query),
        add: add.form,
        feedback: add.feedback,
        action_problem,
    };
    render(add.status, &page)
}

async fn list(
    state: web::Data<ConsoleState>,
    visitor: Visitor,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let org = id(&path)?;
    members_page(
        &state,
        &visitor,
        &org,
        req.query_string(),
        Shown::fresh(),
        None,
    )
    .await
}

/// Back to the member list as it was filtered (`filters`, re-encoded), reading at `position`.
fn back(org: &str, form: &Form, position: i64) -> HttpResponse {
    let filters = filters_of(&form.typed("filters"));
    let path = if filters.is_empty() {
        format!("/organizations/{org}/members")
    } else {
        format!("/organizations/{org}/members?{filters}")
    };
    see_other(&path, Some(position))
}

async fn add(
    state: web::Data<ConsoleState>,
    Change { visitor, form }: Change,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let org: OrganizationId = id(&path)?;
    let joined = async {
        let subject = Some(form.typed("subject"));
        let application = form.text("kind").as_deref() == Some("application");
        let input = MembershipCreate {
            user_id: if application { None } else { subject.clone() },
            application_id: if application { subject } else { None },
            roles: Some(form.all("roles")).filter(|r| !r.is_empty()),
            attributes: Some(attributes(&form)?),
            email: None,
        };
        Ok::<_, Problem>(
            app::join(
                &state.commands,
                &visitor.context(),
                &org,
                input.parse()?,
                domain::membership::MembershipSource::Api,
            )
            .await?,
        )
    }
    .await;
    match joined {
        Ok(j) => Ok(back(&org.to_string(), &form, j.membership.position)),
        Err(problem) => {
            // The subject's field is named for its kind on the API; the form has one for both.
            let mut problem = problem;
            for e in &mut problem.errors {
                if e.field == "user_id" || e.field == "application_id" {
                    e.field = "subject".into();
                }
            }
            members_page(
                &state,
                &visitor,
                &org,
                &form.typed("filters"),
                Shown::refused(AddForm::typed(&form), &problem),
                None,
            )
            .await
        }
    }
}

async fn bulk_roles(
    state: web::Data<ConsoleState>,
    Change { visitor, form }: Change,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let org: OrganizationId = id(&path)?;
    let assigned = async {
        let role = vec![form.typed("role")];
        let removing = form.text("action").as_deref() == Some("remove");
        let selected = form.all("membership_ids");
        if selected.is_empty() {
            return Err(Problem::field(
                "membership_ids",
                "select at least one member",
            ));
        }
        let input = MembershipRolesChange {
            membership_ids: Some(selected),
            add: (!removing).then(|| role.clone()),
            remove: removing.then_some(role),
            ..Default::default()
        };
        let (members, change) = input.parse()?;
        Ok(
            role_assignment::assign(&state.commands, &visitor.context(), &org, &members, &change)
                .await?,
        )
    }
    .await;
    match assigned {
        Ok(a) => Ok(back(&org.to_string(), &form, a.position)),
        Err(problem) => {
            let feedback = Feedback::from_problem(&problem);
            members_page(
                &state,
                &visitor,
                &org,
                &form.typed("filters"),
                Shown {
                    status: status(&problem),
                    ..Shown::fresh()
                },
                Some(feedback),
            )
            .await
        }
    }
}

/// The organization of a membership the caller reaches (for coming back to its list on failure).
async fn organization_of(
    state: &ConsoleState,
    visitor: &Visitor,
    membership: &MembershipId,
) -> Result<OrganizationId, ConsoleError> {
    let row = reads::membership(&state.queries, &visitor.session.caller, None, membership).await?;
    id(&row.organization_id)
}

/// A row action failed: the list again, with the problem above the table.
async fn row_failed(
    state: &ConsoleState,
    visitor: &Visitor,
    membership: &MembershipId,
    form: &Form,
    problem: Problem,
) -> Result<HttpResponse, ConsoleError> {
    if problem.status == 404 {
        return Err(ConsoleError::NotFound);
    }
    let org = organization_of(state, visitor, membership).await?;
    let feedback = Feedback::from_problem(&problem);
    members_page(
        state,
        visitor,
        &org,
        &form.typed("filters"),
        Shown {
            status: status(&problem),
            ..Shown::fresh()
        },
        Some(feedback),
    )
    .await
}

async fn set_roles(
    state: web::Data<ConsoleState>,
    Change { visitor, form }: Change,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let membership: MembershipId = id(&path)?;
    let updated = async {
        let input = MembershipUpdate {
            roles: Some(form.all("roles")),
            attributes: None,
        };
        let (roles, attributes) = input.parse()?;
        Ok::<_, Problem>(
            app::update(
                &state.commands,
                &visitor.context(),
                &membership,
                roles,
                attributes,
            )
            .await?,
        )
    }
    .await;
    match updated {
        Ok(w) if form.text("from").as_deref() == Some("member") => Ok(see_other(
            &format!("/memberships/{membership}"),
            Some(w.position),
        )),
        Ok(w) => Ok(back(
            &w.object.organization_id.to_string(),
            &form,
            w.position,
        )),
        Err(problem) => row_failed(&state, &visitor, &membership, &form, problem).await,
    }
}

async fn change_status(
    state: web::Data<ConsoleState>,
    Change { visitor, form }: Change,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ConsoleError> {
    let (raw, action) = path.into_inner();
    let membership: MembershipId = id(&raw)?;
    let ctx = visitor.context();
    let done = match action.as_str() {
        "deactivate" => app::leave(&state.commands, &ctx, &membership, Leave::Deactivate).await,
        "remove" => app::leave(&state.commands, &ctx, &membership, Leave::Delete).await,
        "reactivate" => app::reactivate(&state.commands, &ctx, &membership).await,
        _ => return Err(ConsoleError::NotFound),
    };
    match done {
        Ok(w) => Ok(back(
            &w.object.organization_id.to_string(),
            &form,
            w.position,
        )),
        Err(e) => row_failed(&state, &visitor, &membership, &form, e.into()).await,
    }
}

#[derive(Template)]
#[template(path = "member.html")]
struct MemberPage {
    as_of: Option<String>,
    entries: Vec<crate::history::Entry>,
    chrome: Chrome,
    org: OrganizationRow,
    member: MemberView,
    roles: Vec<RoleRow>,
    claims: Option<String>,
    claims_note: Option<String>,
}

/// A member's page: status, roles, groups, attributes, and the token claims an identity
/// provider would read for it (`…/claims`), as JSON.
async fn member(
    state: web::Data<ConsoleState>,
    visitor: Visitor,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let membership: MembershipId = id(&path)?;
    let caller = &visitor.session.caller;
    let as_of = as_of_query(req.query_string())?;
    let row = match as_of {
        Some(t) => {
            let id = membership.to_string();
            reads::as_of_typed::<Membership, MembershipRow>(&state.queries, caller, &id, t).await?
        }
        None => {
            reads::membership(&state.queries, caller, at(req.query_string()), &membership).await?
        }
    };
    let org: OrganizationId = id(&row.organization_id)?;
    let (org_row, roles, _) = organization_and_catalogue(&state, &visitor, &org, None).await?;
    // Groups are shown as they are now: not beside a member as it was.
    let mut badges = match as_of {
        Some(_) => Default::default(),
        None => reads::groups_of_memberships(&state.queries, std::slice::from_ref(&row)).await?,
    };
    let view = MemberView {
        groups: badges.remove(&row.id).unwrap_or_default(),
        attributes: shown_attributes(&row.attributes),
        row,
    };
    let subject = serde_urlencoded::to_string([(
        if view.kind() == "user" {
            "user_id"
        } else {
            "application_id"
        },
        view.subject(),
    )])
    .unwrap_or_default();
    let claims_params = Params::from_query(&subject, &reads::CLAIMS)?;
    let claims = match as_of {
        Some(_) => Err("Claims are read as they are now; this page shows the member as it was."),
        None => match reads::claims_of(&state.queries, caller, &claims_params, &org).await {
            Ok(c) => Ok(pretty(&c)),
            Err(p) if p.status == 404 => Err("No claims: the membership is not active."),
            Err(p) => return Err(p.into()),
        },
    };
    let (claims, claims_note) = match claims {
        Ok(c) => (Some(c), None),
        Err(note) => (None, Some(note.to_owned())),
    };
    let entries =
        crate::history::timeline(&state, &visitor, "membership", &membership.to_string()).await?;
    let mut chrome = Chrome::new(
        &visitor,
        "organizations",
        format!("{} · {}", view.subject(), org_row.name),
    );
    chrome.can_write &= as_of.is_none();
    let page = MemberPage {
        as_of: as_of.map(moment),
        entries,
        chrome,
        org: org_row,
        member: view,
        roles,
        claims,
        claims_note,
    };
    render(StatusCode::OK, &page)
}

fn pretty(claims: &ClaimsRow) -> String {
    serde_json::to_string_pretty(claims).unwrap_or_default()
}
