mod documents;
pub(crate) mod domains;
pub(crate) mod events;
pub(crate) mod groups;
pub(crate) mod history;
pub(crate) mod invitations;
pub(crate) mod memberships;
pub(crate) mod organizations;
pub(crate) mod replays;
pub(crate) mod role_templates;

use actix_web::{guard, web};
use domain::EventEnvelope;
use http_edge::endpoints::{self as e, Endpoint};
use http_edge::resource;
use paging::{List, Spec};
use read_models::domains::{DomainOrganizationRow, DomainRow};
use read_models::groups::GroupRow;
use read_models::invitations::InvitationRow;
use read_models::memberships::{ClaimsRow, MembershipRow};
use read_models::organizations::{OrganizationRow, RoleRow, TemplateRoleRow};

/// Every read route, with what it takes and answers.
pub fn endpoints() -> Vec<Endpoint> {
    macro_rules! history_of {
        ($path:literal, $handler:path, $summary:literal) => {
            e::get($path, $handler)
                .summary($summary)
                .describe(
                    "Oldest first unless `order=desc`; found after deletion too. `after` and \
                     `before` are positions.",
                )
                .query(history::HISTORY.params())
                .answers::<List<EventEnvelope>>(200, "A page of events")
        };
    }
    vec![
        e::get("/v1/events", events::list)
            .summary("List the event log (the audit trail)")
            .describe(
                "Every change as it was recorded, newest first unless `order=asc`. `after` and \
                 `before` are positions: paging on with `after` and `order=asc` never skips an \
                 event that commits late. An organization key sees its organization's events.",
            )
            .query(events::LIST.params())
            // An organization key asking for another organization's events.
            .errors(&[404])
            .answers::<List<EventEnvelope>>(200, "A page of events"),
        e::get("/v1/events/export", events::export)
            .summary("Export the event log as JSON Lines or CSV")
            .describe(
                "The same filters as the list, streamed oldest first up to the end of the log \
                 when the export starts, without buffering: one envelope per line \
                 (`application/x-ndjson`), or CSV with `Accept: text/csv` or `format=csv`.",
            )
            .query(events::EXPORT.params())
            // An organization key asking for another organization's events.
            .errors(&[404])
            .answers_other(200, "One event per line", Some("application/x-ndjson"))
            .answers_other(
                200,
                "A header line, then one event per row",
                Some("text/csv"),
            ),
        e::get("/v1/export", documents::export)
            .summary("Export organizations as a declarative document (YAML or JSON)")
            .describe(
                "The document `roster plan` and `roster apply` read (docs/apply.md): every \
                 organization with an external id, or the one `organization_id` names (an \
                 organization key: its own), with its roles, active members, groups and pending \
                 invitations. Planning it back finds nothing to change. YAML unless \
                 `format=json`; `Roster-Left-Out` counts organizations without an external id.",
            )
            .query(documents::EXPORT.params())
            // An `organization_id` that does not exist (or another organization's, for an
            // organization key).
            .errors(&[404])
            .answers_other(200, "The document as YAML", Some("application/yaml"))
            .answers::<declarative::Document>(200, "The document as JSON"),
        e::get("/v1/replays/{id}", replays::get)
            .summary("Get a replay job: where it has got to and how many events it sent")
            .query(Spec::single().params())
            .answers::<store::replays::Replay>(200, "The replay job"),
        e::get("/v1/events/{event_id}", events::get)
            .summary("Get one event")
            .query(Spec::single().params())
            .answers::<EventEnvelope>(200, "The event's envelope"),
        history_of!(
            "/v1/organizations/{org_id}/history",
            history::of_organization,
            "An organization's events, in version order"
        ),
        history_of!(
            "/v1/memberships/{id}/history",
            history::of_membership,
            "A membership's events, in version order"
        ),
        history_of!(
            "/v1/groups/{id}/history",
            history::of_group,
            "A group's events, in version order"
        ),
        history_of!(
            "/v1/invitations/{id}/history",
            history::of_invitation,
            "An invitation's events, in version order"
        ),
        e::get("/v1/organizations", organizations::list)
            .summary("List organizations (an organization key sees its own)")
            .query(organizations::LIST.params())
            .answers::<List<OrganizationRow>>(200, "A page of organizations"),
        e::get("/v1/organizations/{org_id}", organizations::get)
            .summary("Get an organization, with its member and group counts")
            .query(history::AT.params())
            .answers::<OrganizationRow>(200, "The organization"),
        e::get("/v1/organizations/{org_id}/roles", organizations::roles)
            .summary("List an organization's roles")
            .query(organizations::ROLES.params())
            .answers::<List<RoleRow>>(200, "A page of roles"),
        e::get("/v1/role-templates", role_templates::list)
            .summary("List the organization template's roles")
            .describe(
                "Roles defined once for the deployment: every organization offers them besides \
                 its custom roles (`template: true` in its role list).",
            )
            .query(role_templates::LIST.params())
            .answers::<List<TemplateRoleRow>>(200, "A page of template roles"),
        e::get("/v1/role-templates/{slug}", role_templates::get)
            .summary("Get a template role")
            .query(Spec::single().params())
            .answers::<TemplateRoleRow>(200, "The template role"),
        e::get(
            "/v1/organizations/{org_id}/domains",
            domains::of_organization,
        )
        .summary("List an organization's domains")
        .query(domains::OF_ORGANIZATION.params())
        .answers::<List<DomainRow>>(200, "A page of domains"),
        e::get("/v1/organizations/{org_id}/domains/{domain}", domains::get)
            .summary("Get one of an organization's domains")
            .query(Spec::single().params())
            .answers::<DomainRow>(200, "The domain"),
        e::get("/v1/domains/{domain}/organizations", domains::organizations)
            .summary("Which organizations an email's domain may find or join")
            .describe(
                "For a login flow: the organization that verified the domain with the `suggest` \
                 or `auto_join` policy (a domain is verified by one organization at a time). \
                 Under `auto_join`, `POST /v1/organizations/{org_id}/memberships` with \
                 `user_id` and `email` joins it. An organization key sees its own only.",
            )
            .query(domains::ORGANIZATIONS.params())
            .answers::<List<DomainOrganizationRow>>(200, "A page of organizations"),
        e::get("/v1/organizations/{org_id}/claims", organizations::claims)
            .summary("What an identity provider puts in a token for a member")
            .describe("Give exactly one of `user_id` or `application_id`.")
            .query(organizations::CLAIMS.params())
            .answers::<ClaimsRow>(200, "The member's roles, permissions and groups"),
        e::get(
            "/v1/organizations/{org_id}/memberships",
            memberships::of_organization,
        )
        .summary("List an organization's memberships")
        .describe(
            "`status` is `active` (the default), `inactive` or `all`; `role` may repeat; \
             `attr.<key>=<value>` filters on attributes. With `as_of` (a position or a time), \
             the members as they were then, each membership rebuilt from its events; only \
             `status` filters them.",
        )
        .query(memberships::OF_ORGANIZATION.params())
        .answers::<List<MembershipRow>>(200, "A page of memberships"),
        e::get("/v1/memberships/{id}", memberships::get)
            .summary("Get a membership")
            .query(history::AT.params())
            .answers::<MembershipRow>(200, "The membership"),
        e::get("/v1/memberships/{id}/groups", memberships::groups)
            .summary("List the groups a membership is in")
            .query(memberships::GROUPS.params())
            .answers::<List<GroupRow>>(200, "A page of groups"),
        e::get("/v1/users/{user_id}/memberships", memberships::of_user)
            .summary("List a user's memberships across organizations")
            .query(memberships::OF_USER.params())
            .answers::<List<MembershipRow>>(200, "A page of memberships"),
        e::get("/v1/organizations/{org_id}/groups", groups::of_organization)
            .summary("List an organization's groups")
            .query(groups::OF_ORGANIZATION.params())
            .answers::<List<GroupRow>>(200, "A page of groups"),
        e::get("/v1/groups/{id}", groups::get)
            .summary("Get a group")
            .query(history::AT.params())
            .answers::<GroupRow>(200, "The group"),
        e::get("/v1/groups/{id}/members", groups::members)
            .summary("List a group's members")
            .query(groups::MEMBERS.params())
            .answers::<List<MembershipRow>>(200, "A page of memberships"),
        e::get(
            "/v1/organizations/{org_id}/invitations",
            invitations::of_organization,
        )
        .summary("List an organization's invitations")
        .describe("`state` is one of `pending`, `accepted`, `revoked`, `expired`.")
        .query(invitations::OF_ORGANIZATION.params())
        .answers::<List<InvitationRow>>(200, "A page of invitations"),
        e::get("/v1/invitations/{id}", invitations::get)
            .summary("Get an invitation")
            .query(history::AT.params())
            .answers::<InvitationRow>(200, "The invitation"),
    ]
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    for endpoint in endpoints() {
        let (path, route) = endpoint.into_route();
        // A resource-level guard lets other methods fall through to the command routes.
        cfg.service(web::resource(path).guard(guard::Get()).route(route));
    }
}

pub fn method_fallbacks(cfg: &mut web::ServiceConfig) {
    for endpoint in endpoints() {
        cfg.service(resource(endpoint.path));
    }
}
