//! An organization's groups: the list with member counts and the create form; a group's page with
//! its members, adding and removing them, renaming and deleting the group.

use actix_web::http::StatusCode;
use actix_web::web;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use command_service::app::groups as app;
use command_service::input::groups::{GroupCreate, GroupMemberAdd, GroupRoles, GroupUpdate};
use domain::group::Group;
use domain::{GroupId, MembershipId, OrganizationId};
use http_edge::Problem;
use paging::{List, Params};
use query_service::reads;
use read_models::groups::GroupRow;
use read_models::memberships::MembershipRow;
use read_models::organizations::{OrganizationRow, RoleRow};

use crate::form::{api_query, Form};
use crate::members::{shown_attributes, MemberView};
use crate::page::{id, render, see_other, status, Chrome, ConsoleError, Feedback, Pager, Shown};
use crate::visitor::{Change, Visitor};
use crate::ConsoleState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/organizations/{id}/groups", web::get().to(list))
        .route("/organizations/{id}/groups", web::post().to(create))
        .route("/groups/{id}", web::get().to(group))
        .route("/groups/{id}", web::post().to(update))
        .route("/groups/{id}/delete", web::post().to(delete))
        .route("/groups/{id}/members", web::post().to(add_member))
        .route("/groups/{id}/roles", web::post().to(set_roles))
        .route(
            "/groups/{id}/members/{membership}/remove",
            web::post().to(remove_member),
        );
}

#[derive(Default)]
pub struct GroupForm {
    pub name: String,
    pub description: String,
}

impl GroupForm {
    fn typed(form: &Form) -> Self {
        Self {
            name: form.typed("name"),
            description: form.typed("description"),
        }
    }
}

#[derive(Template)]
#[template(path = "groups.html")]
struct GroupsPage {
    chrome: Chrome,
    org: OrganizationRow,
    tab: &'static str,
    list: List<GroupRow>,
    pager: Pager,
    form: GroupForm,
    feedback: Feedback,
}

async fn groups_page(
    state: &ConsoleState,
    visitor: &Visitor,
    org: &OrganizationId,
    query: &str,
    shown: Shown<GroupForm>,
) -> Result<HttpResponse, ConsoleError> {
    let caller = &visitor.session.caller;
    let api = api_query(query);
    let params = Params::from_query(&api, &reads::GROUPS)?;
    let row =
        reads::organization_uncounted(&state.queries, caller, params.min_position, org).await?;
    let list = reads::groups_page(&state.queries, caller, &params, org).await?;
    let page = GroupsPage {
        chrome: Chrome::new(visitor, "organizations", format!("{} · Groups", row.name)),
        pager: Pager::new(&format!("/organizations/{org}/groups"), &api, &list),
        org: row,
        tab: "groups",
        list,
        form: shown.form,
        feedback: shown.feedback,
    };
    render(shown.status, &page)
}

async fn list(
    state: web::Data<ConsoleState>,
    visitor: Visitor,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let org = id(&path)?;
    groups_page(&state, &visitor, &org, req.query_string(), Shown::fresh()).await
}

async fn create(
    state: web::Data<ConsoleState>,
    Change { visitor, form }: Change,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let org: OrganizationId = id(&path)?;
    let created = async {
        let input = GroupCreate {
            name: form.typed("name"),
            description: form.text("description"),
        };
        let (name, description) = input.parse()?;
        Ok::<_, Problem>(
            app::create(&state.commands, &visitor.context(), &org, name, description).await?,
        )
    }
    .await;
    match created {
        Ok(w) => Ok(see_other(
            &format!("/organizations/{org}/groups"),
            Some(w.position),
        )),
        Err(problem) => {
            let shown = Shown::refused(GroupForm::typed(&form), &problem);
            groups_page(&state, &visitor, &org, "", shown).await
        }
    }
}

#[derive(Template)]
#[template(path = "group.html")]
struct GroupPage {
    as_of: Option<String>,
    entries: Vec<crate::history::Entry>,
    chrome: Chrome,
    org: OrganizationRow,
    group: GroupRow,
    members: Vec<MemberView>,
    pager: Pager,
    /// Active members of the organization, offered to add.
    candidates: Vec<MembershipRow>,
    /// The organization's roles, offered to grant.
    catalogue: Vec<RoleRow>,
    roles_feedback: Feedback,
    form: GroupForm,
    feedback: Feedback,
    subject: String,
    add_feedback: Feedback,
}

struct GroupView<'a> {
    form: Option<GroupForm>,
    feedback: Feedback,
    subject: &'a str,
    add_feedback: Feedback,
    roles_feedback: Feedback,
    status: StatusCode,
}

impl Default for GroupView<'_> {
    fn default() -> Self {
        Self {
            form: None,
            feedback: Feedback::default(),
            subject: "",
            add_feedback: Feedback::default(),
            roles_feedback: Feedback::default(),
            status: StatusCode::OK,
        }
    }
}

async fn group_page(
    state: &ConsoleState,
    visitor: &Visitor,
    group: &GroupId,
    query: &str,
    view: GroupView<'_>,
) -> Result<HttpResponse, ConsoleError> {
    let caller = &visitor.session.caller;
    let api = api_query(query);
    let params = Params::from_query(&api, &reads::GROUP_MEMBERS)?;
    let as_of = reads::as_of(&params);
    let id_text = group.to_string();
    let (row, list) = match as_of {
        Some(at) => {
            let then =
                reads::as_of_typed::<Group, GroupRow>(&state.queries, caller, &id_text, at).await?;
            let list = reads::members_as_of(&state.queries, caller, &params, &id_text, at).await?;
            (then, list)
        }
        None => {
            let row = reads::group(&state.queries, caller, params.min_position, &id_text).await?;
            let list = reads::members_page(&state.queries, &params, &row).await?;
            (row, list)
        }
    };
    let org: OrganizationId = id(&row.organization_id)?;
    let org_row = reads::organization_uncounted(&state.queries, caller, None, &org).await?;
    // Groups are shown as they are now: not beside members as they were.
    let mut badges = match as_of {
        Some(_) => Default::default(),
        None => reads::groups_of_memberships(&state.queries, &list.data).await?,
    };
    let pager = Pager::new(&format!("/groups/{group}"), &api, &list);
    let members = (list.data.into_iter())
        .map(|m| MemberView {
            groups: badges.remove(&m.id).unwrap_or_default(),
            attributes: shown_attributes(&m.attributes),
            row: m,
        })
        .collect();
    let (candidates, catalogue) = match as_of {
        Some(_) => (Vec::new(), Vec::new()),
        None => {
            let candidates_params = Params::from_query("limit=100", &reads::MEMBERSHIPS)?;
            let roles_params = Params::from_query("limit=100", &reads::ROLES)?;
            let candidates =
                reads::memberships_page(&state.queries, caller, &candidates_params, &org).await?;
            let roles = reads::roles_page(&state.queries, caller, &roles_params, &org).await?;
            (candidates.data, roles.data)
        }
    };
    let entries = crate::history::timeline(state, visitor, "group", &id_text).await?;
    let mut chrome = Chrome::new(
        visitor,
        "organizations",
        format!("{} · {}", row.name, org_row.name),
    );
    chrome.can_write &= as_of.is_none();
    let page = GroupPage {
        as_of: as_of.map(crate::members::moment),
        entries,
        chrome,
        form: view.form.unwrap_or_else(|| GroupForm {
            name: row.name.clone(),
            description: row.description.clone().unwrap_or_default(),
        }),
        org: org_row,
        group: row,
        members,
        pager,
        candidates,
        catalogue,
        roles_feedback: view.roles_feedback,
        feedback: view.feedback,
        subject: view.subject.to_owned(),
        add_feedback: view.add_feedback,
    };
    render(view.status, &page)
}

async fn group(
    state: web::Data<ConsoleState>,
    visitor: Visitor,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let group = id(&path)?;
    group_page(
        &state,
        &visitor,
        &group,
        req.query_string(),
        GroupView::default(),
    )
    .await
}

async fn update(
    state: web::Data<ConsoleState>,
    Change { visitor, form }: Change,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let group: GroupId = id(&path)?;
    let updated = async {
        let input = GroupUpdate {
            name: Some(form.typed("name")),
            description: Some(form.text("description")),
        };
        let (name, description) = input.parse()?;
        Ok::<_, Problem>(
            app::update(
                &state.commands,
                &visitor.context(),
                &group,
                name,
                description,
            )
            .await?,
        )
    }
    .await;
    match updated {
        Ok(w) => Ok(see_other(&format!("/groups/{group}"), Some(w.position))),
        Err(problem) if problem.status == 404 => Err(ConsoleError::NotFound),
        Err(problem) => {
            let view = GroupView {
                form: Some(GroupForm::typed(&form)),
                feedback: Feedback::from_problem(&problem),
                status: status(&problem),
                ..Default::default()
            };
            group_page(&state, &visitor, &group, "", view).await
        }
    }
}

async fn delete(
    state: web::Data<ConsoleState>,
    Change { visitor, .. }: Change,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let group: GroupId = id(&path)?;
    let w = app::delete(&state.commands, &visitor.context(), &group).await?;
    Ok(see_other(
        &format!("/organizations/{}/groups", w.object.organization_id),
        Some(w.position),
    ))
}

/// The membership of the organization's active member `subject` (a user id, else an application
/// id), found through the read side.
async fn membership_of(
    state: &ConsoleState,
    visitor: &Visitor,
    org: &OrganizationId,
    subject: &str,
) -> Result<MembershipId, Problem> {
    for field in ["user_id", "application_id"] {
        let query =
            serde_urlencoded::to_string([(field, subject), ("limit", "1")]).unwrap_or_default();
        let Ok(params) = Params::from_query(&query, &reads::MEMBERSHIPS) else {
            continue;
        };
        let found =
            reads::memberships_page(&state.queries, &visitor.session.caller, &params, org).await?;
        if let Some(m) = found.data.first() {
            return MembershipId::parse(&m.id).map_err(|_| Problem::internal());
        }
    }
    Err(Problem::field(
        "subject",
        "no active member of the organization has this user or application id",
    ))
}

async fn add_member(
    state: web::Data<ConsoleState>,
    Change { visitor, form }: Change,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let group: GroupId = id(&path)?;
    let row = reads::group(
        &state.queries,
        &visitor.session.caller,
        None,
        &group.to_string(),
    )
    .await?;
    let org: OrganizationId = id(&row.organization_id)?;
    let added = async {
        let membership = match form.text("membership_id") {
            Some(m) => GroupMemberAdd { membership_id: m }.parse()?,
            None => membership_of(&state, &visitor, &org, form.typed("subject").trim()).await?,
        };
        Ok::<_, Problem>(
            app::add_member(&state.commands, &visitor.context(), &group, &membership).await?,
        )
    }
    .await;
    match added {
        Ok(a) => Ok(see_other(
            &format!("/groups/{group}"),
            Some(a.member.position),
        )),
        Err(mut problem) => {
            for e in &mut problem.errors {
                if e.field == "membership_id" {
                    e.field = "subject".into();
                }
            }
            let subject = form.typed("subject");
            let view = GroupView {
                subject: &subject,
                add_feedback: Feedback::from_problem(&problem),
                status: status(&problem),
                ..Default::default()
            };
            group_page(&state, &visitor, &group, "", view).await
        }
    }
}

/// The roles the group grants: the boxes ticked (none: it grants none).
async fn set_roles(
    state: web::Data<ConsoleState>,
    Change { visitor, form }: Change,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let group: GroupId = id(&path)?;
    let set = async {
        let roles = GroupRoles {
            roles: form.all("roles"),
        }
        .parse()?;
        Ok::<_, Problem>(app::set_roles(&state.commands, &visitor.context(), &group, roles).await?)
    }
    .await;
    match set {
        Ok(w) => Ok(see_other(&format!("/groups/{group}"), Some(w.position))),
        Err(problem) if problem.status == 404 => Err(ConsoleError::NotFound),
        Err(problem) => {
            let view = GroupView {
                roles_feedback: Feedback::from_problem(&problem),
                status: status(&problem),
                ..Default::default()
            };
            group_page(&state, &visitor, &group, "", view).await
        }
    }
}

async fn remove_member(
    state: web::Data<ConsoleState>,
    Change { visitor, .. }: Change,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ConsoleError> {
    let (g, m) = path.into_inner();
    let (group, membership): (GroupId, MembershipId) = (id(&g)?, id(&m)?);
    let w = app::remove_member(&state.commands, &visitor.context(), &group, &membership).await?;
    Ok(see_other(&format!("/groups/{group}"), Some(w.position)))
}
