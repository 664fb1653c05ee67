//! Ids from the path: a malformed one is a 400 naming the path parameter; a well-formed unknown
//! one is a 404 later.

use http_edge::Problem;

macro_rules! path_id {
    ($fn:ident, $ty:ty, $field:literal) => {
        pub fn $fn(raw: &str) -> Result<String, Problem> {
            <$ty>::parse(raw)
                .map(|id| id.to_string())
                .map_err(|e| Problem::field($field, e.to_string()))
        }
    };
}

path_id!(organization, domain::OrganizationId, "org_id");
path_id!(membership, domain::MembershipId, "id");
path_id!(group, domain::GroupId, "id");
path_id!(invitation, domain::InvitationId, "id");
