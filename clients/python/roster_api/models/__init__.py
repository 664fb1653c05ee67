"""Contains all the data models used in inputs/outputs"""

from .actor import Actor
from .aggregate_ref import AggregateRef
from .api_key import ApiKey
from .api_key_create import ApiKeyCreate
from .api_key_created_event import ApiKeyCreatedEvent
from .api_key_data import ApiKeyData
from .api_key_list import ApiKeyList
from .api_key_revoked_event import ApiKeyRevokedEvent
from .applied import Applied
from .applied_invitation import AppliedInvitation
from .applied_organization import AppliedOrganization
from .applied_role_templates import AppliedRoleTemplates
from .attributes import Attributes
from .claim_group import ClaimGroup
from .claims import Claims
from .claims_permission_sources import ClaimsPermissionSources
from .claims_role_sources import ClaimsRoleSources
from .collection_of_document_domain_type_2 import CollectionOfDocumentDomainType2
from .collection_of_document_group_type_2 import CollectionOfDocumentGroupType2
from .collection_of_document_invitation_type_2 import (
    CollectionOfDocumentInvitationType2,
)
from .collection_of_document_member_type_2 import CollectionOfDocumentMemberType2
from .collection_of_document_role_type_2 import CollectionOfDocumentRoleType2
from .delivery import Delivery
from .delivery_attempt import DeliveryAttempt
from .delivery_list import DeliveryList
from .delivery_with_attempts import DeliveryWithAttempts
from .document_domain import DocumentDomain
from .document_group import DocumentGroup
from .document_invitation import DocumentInvitation
from .document_member import DocumentMember
from .document_member_ref import DocumentMemberRef
from .document_organization import DocumentOrganization
from .document_role import DocumentRole
from .domain import Domain
from .domain_add import DomainAdd
from .domain_list import DomainList
from .domain_organization import DomainOrganization
from .domain_organization_list import DomainOrganizationList
from .domain_state_type_0 import DomainStateType0
from .domain_update import DomainUpdate
from .domain_updated import DomainUpdated
from .domain_verification import DomainVerification
from .endpoint_disabled import EndpointDisabled
from .event_list import EventList
from .field_error import FieldError
from .get_api_keys_order import GetApiKeysOrder
from .get_domains_domain_organizations_order import GetDomainsDomainOrganizationsOrder
from .get_events_export_format import GetEventsExportFormat
from .get_events_order import GetEventsOrder
from .get_export_format import GetExportFormat
from .get_groups_id_history_order import GetGroupsIdHistoryOrder
from .get_groups_id_members_order import GetGroupsIdMembersOrder
from .get_healthz_200 import GetHealthz200
from .get_invitations_id_history_order import GetInvitationsIdHistoryOrder
from .get_memberships_id_groups_order import GetMembershipsIdGroupsOrder
from .get_memberships_id_history_order import GetMembershipsIdHistoryOrder
from .get_organizations_order import GetOrganizationsOrder
from .get_organizations_org_id_domains_order import GetOrganizationsOrgIdDomainsOrder
from .get_organizations_org_id_groups_order import GetOrganizationsOrgIdGroupsOrder
from .get_organizations_org_id_history_order import GetOrganizationsOrgIdHistoryOrder
from .get_organizations_org_id_invitations_order import (
    GetOrganizationsOrgIdInvitationsOrder,
)
from .get_organizations_org_id_invitations_state import (
    GetOrganizationsOrgIdInvitationsState,
)
from .get_organizations_org_id_memberships_order import (
    GetOrganizationsOrgIdMembershipsOrder,
)
from .get_organizations_org_id_memberships_role_source import (
    GetOrganizationsOrgIdMembershipsRoleSource,
)
from .get_organizations_org_id_memberships_source import (
    GetOrganizationsOrgIdMembershipsSource,
)
from .get_organizations_org_id_memberships_status import (
    GetOrganizationsOrgIdMembershipsStatus,
)
from .get_organizations_org_id_roles_order import GetOrganizationsOrgIdRolesOrder
from .get_readyz_200 import GetReadyz200
from .get_role_templates_order import GetRoleTemplatesOrder
from .get_users_user_id_memberships_order import GetUsersUserIdMembershipsOrder
from .get_users_user_id_memberships_status import GetUsersUserIdMembershipsStatus
from .get_webhook_endpoints_id_deliveries_order import (
    GetWebhookEndpointsIdDeliveriesOrder,
)
from .get_webhook_endpoints_id_deliveries_status import (
    GetWebhookEndpointsIdDeliveriesStatus,
)
from .get_webhook_endpoints_order import GetWebhookEndpointsOrder
from .group import Group
from .group_create import GroupCreate
from .group_created_event import GroupCreatedEvent
from .group_data import GroupData
from .group_data_change import GroupDataChange
from .group_deleted_event import GroupDeletedEvent
from .group_list import GroupList
from .group_member import GroupMember
from .group_member_add import GroupMemberAdd
from .group_member_added_event import GroupMemberAddedEvent
from .group_member_change import GroupMemberChange
from .group_member_removed_event import GroupMemberRemovedEvent
from .group_roles import GroupRoles
from .group_roles_updated import GroupRolesUpdated
from .group_roles_updated_event import GroupRolesUpdatedEvent
from .group_update import GroupUpdate
from .group_updated import GroupUpdated
from .group_updated_event import GroupUpdatedEvent
from .invitation import Invitation
from .invitation_accept import InvitationAccept
from .invitation_accepted_event import InvitationAcceptedEvent
from .invitation_change import InvitationChange
from .invitation_create import InvitationCreate
from .invitation_created_event import InvitationCreatedEvent
from .invitation_data import InvitationData
from .invitation_expired_event import InvitationExpiredEvent
from .invitation_list import InvitationList
from .invitation_resent_event import InvitationResentEvent
from .invitation_revoked_event import InvitationRevokedEvent
from .invitation_state import InvitationState
from .list_metadata import ListMetadata
from .membership import Membership
from .membership_bulk import MembershipBulk
from .membership_bulk_item import MembershipBulkItem
from .membership_bulk_result import MembershipBulkResult
from .membership_create import MembershipCreate
from .membership_created_event import MembershipCreatedEvent
from .membership_data import MembershipData
from .membership_data_change import MembershipDataChange
from .membership_deactivated_event import MembershipDeactivatedEvent
from .membership_deleted_event import MembershipDeletedEvent
from .membership_list import MembershipList
from .membership_reactivated_event import MembershipReactivatedEvent
from .membership_roles_change import MembershipRolesChange
from .membership_roles_item import MembershipRolesItem
from .membership_roles_result import MembershipRolesResult
from .membership_status import MembershipStatus
from .membership_update import MembershipUpdate
from .membership_updated import MembershipUpdated
from .membership_updated_event import MembershipUpdatedEvent
from .metadata import Metadata
from .mode import Mode
from .organization import Organization
from .organization_create import OrganizationCreate
from .organization_created_event import OrganizationCreatedEvent
from .organization_data import OrganizationData
from .organization_data_change import OrganizationDataChange
from .organization_deleted_event import OrganizationDeletedEvent
from .organization_deletion_requested_event import OrganizationDeletionRequestedEvent
from .organization_domain import OrganizationDomain
from .organization_domain_added_event import OrganizationDomainAddedEvent
from .organization_domain_change import OrganizationDomainChange
from .organization_domain_expired_event import OrganizationDomainExpiredEvent
from .organization_domain_removed_event import OrganizationDomainRemovedEvent
from .organization_domain_updated_event import OrganizationDomainUpdatedEvent
from .organization_domain_verified_event import OrganizationDomainVerifiedEvent
from .organization_list import OrganizationList
from .organization_plan import OrganizationPlan
from .organization_role_created_event import OrganizationRoleCreatedEvent
from .organization_role_deleted_event import OrganizationRoleDeletedEvent
from .organization_role_updated_event import OrganizationRoleUpdatedEvent
from .organization_update import OrganizationUpdate
from .organization_updated import OrganizationUpdated
from .organization_updated_event import OrganizationUpdatedEvent
from .plan import Plan
from .plan_action import PlanAction
from .plan_change import PlanChange
from .plan_field import PlanField
from .plan_object import PlanObject
from .post_apply_create_missing_roles import PostApplyCreateMissingRoles
from .post_apply_dry_run import PostApplyDryRun
from .post_apply_prune import PostApplyPrune
from .post_apply_prune_organizations import PostApplyPruneOrganizations
from .previous_domain_attributes import PreviousDomainAttributes
from .previous_group_attributes import PreviousGroupAttributes
from .previous_membership_attributes import PreviousMembershipAttributes
from .previous_organization_attributes import PreviousOrganizationAttributes
from .previous_role_attributes import PreviousRoleAttributes
from .problem import Problem
from .refusal import Refusal
from .replay import Replay
from .role import Role
from .role_create import RoleCreate
from .role_data import RoleData
from .role_data_change import RoleDataChange
from .role_list import RoleList
from .role_template import RoleTemplate
from .role_template_created_event import RoleTemplateCreatedEvent
from .role_template_deleted_event import RoleTemplateDeletedEvent
from .role_template_list import RoleTemplateList
from .role_template_updated_event import RoleTemplateUpdatedEvent
from .role_update import RoleUpdate
from .role_updated import RoleUpdated
from .roster_document import RosterDocument
from .template_role import TemplateRole
from .template_role_change import TemplateRoleChange
from .template_role_updated import TemplateRoleUpdated
from .webhook_endpoint import WebhookEndpoint
from .webhook_endpoint_create import WebhookEndpointCreate
from .webhook_endpoint_disabled_event import WebhookEndpointDisabledEvent
from .webhook_endpoint_list import WebhookEndpointList
from .webhook_endpoint_secret import WebhookEndpointSecret
from .webhook_endpoint_update import WebhookEndpointUpdate
from .webhook_queued import WebhookQueued
from .webhook_recover import WebhookRecover
from .webhook_replay import WebhookReplay
from .webhook_secret_rotate import WebhookSecretRotate

__all__ = (
    "Actor",
    "AggregateRef",
    "ApiKey",
    "ApiKeyCreate",
    "ApiKeyCreatedEvent",
    "ApiKeyData",
    "ApiKeyList",
    "ApiKeyRevokedEvent",
    "Applied",
    "AppliedInvitation",
    "AppliedOrganization",
    "AppliedRoleTemplates",
    "Attributes",
    "ClaimGroup",
    "Claims",
    "ClaimsPermissionSources",
    "ClaimsRoleSources",
    "CollectionOfDocumentDomainType2",
    "CollectionOfDocumentGroupType2",
    "CollectionOfDocumentInvitationType2",
    "CollectionOfDocumentMemberType2",
    "CollectionOfDocumentRoleType2",
    "Delivery",
    "DeliveryAttempt",
    "DeliveryList",
    "DeliveryWithAttempts",
    "DocumentDomain",
    "DocumentGroup",
    "DocumentInvitation",
    "DocumentMember",
    "DocumentMemberRef",
    "DocumentOrganization",
    "DocumentRole",
    "Domain",
    "DomainAdd",
    "DomainList",
    "DomainOrganization",
    "DomainOrganizationList",
    "DomainStateType0",
    "DomainUpdate",
    "DomainUpdated",
    "DomainVerification",
    "EndpointDisabled",
    "EventList",
    "FieldError",
    "GetApiKeysOrder",
    "GetDomainsDomainOrganizationsOrder",
    "GetEventsExportFormat",
    "GetEventsOrder",
    "GetExportFormat",
    "GetGroupsIdHistoryOrder",
    "GetGroupsIdMembersOrder",
    "GetHealthz200",
    "GetInvitationsIdHistoryOrder",
    "GetMembershipsIdGroupsOrder",
    "GetMembershipsIdHistoryOrder",
    "GetOrganizationsOrder",
    "GetOrganizationsOrgIdDomainsOrder",
    "GetOrganizationsOrgIdGroupsOrder",
    "GetOrganizationsOrgIdHistoryOrder",
    "GetOrganizationsOrgIdInvitationsOrder",
    "GetOrganizationsOrgIdInvitationsState",
    "GetOrganizationsOrgIdMembershipsOrder",
    "GetOrganizationsOrgIdMembershipsRoleSource",
    "GetOrganizationsOrgIdMembershipsSource",
    "GetOrganizationsOrgIdMembershipsStatus",
    "GetOrganizationsOrgIdRolesOrder",
    "GetReadyz200",
    "GetRoleTemplatesOrder",
    "GetUsersUserIdMembershipsOrder",
    "GetUsersUserIdMembershipsStatus",
    "GetWebhookEndpointsIdDeliveriesOrder",
    "GetWebhookEndpointsIdDeliveriesStatus",
    "GetWebhookEndpointsOrder",
    "Group",
    "GroupCreate",
    "GroupCreatedEvent",
    "GroupData",
    "GroupDataChange",
    "GroupDeletedEvent",
    "GroupList",
    "GroupMember",
    "GroupMemberAdd",
    "GroupMemberAddedEvent",
    "GroupMemberChange",
    "GroupMemberRemovedEvent",
    "GroupRoles",
    "GroupRolesUpdated",
    "GroupRolesUpdatedEvent",
    "GroupUpdate",
    "GroupUpdated",
    "GroupUpdatedEvent",
    "Invitation",
    "InvitationAccept",
    "InvitationAcceptedEvent",
    "InvitationChange",
    "InvitationCreate",
    "InvitationCreatedEvent",
    "InvitationData",
    "InvitationExpiredEvent",
    "InvitationList",
    "InvitationResentEvent",
    "InvitationRevokedEvent",
    "InvitationState",
    "ListMetadata",
    "Membership",
    "MembershipBulk",
    "MembershipBulkItem",
    "MembershipBulkResult",
    "MembershipCreate",
    "MembershipCreatedEvent",
    "MembershipData",
    "MembershipDataChange",
    "MembershipDeactivatedEvent",
    "MembershipDeletedEvent",
    "MembershipList",
    "MembershipReactivatedEvent",
    "MembershipRolesChange",
    "MembershipRolesItem",
    "MembershipRolesResult",
    "MembershipStatus",
    "MembershipUpdate",
    "MembershipUpdated",
    "MembershipUpdatedEvent",
    "Metadata",
    "Mode",
    "Organization",
    "OrganizationCreate",
    "OrganizationCreatedEvent",
    "OrganizationData",
    "OrganizationDataChange",
    "OrganizationDeletedEvent",
    "OrganizationDeletionRequestedEvent",
    "OrganizationDomain",
    "OrganizationDomainAddedEvent",
    "OrganizationDomainChange",
    "OrganizationDomainExpiredEvent",
    "OrganizationDomainRemovedEvent",
    "OrganizationDomainUpdatedEvent",
    "OrganizationDomainVerifiedEvent",
    "OrganizationList",
    "OrganizationPlan",
    "OrganizationRoleCreatedEvent",
    "OrganizationRoleDeletedEvent",
    "OrganizationRoleUpdatedEvent",
    "OrganizationUpdate",
    "OrganizationUpdated",
    "OrganizationUpdatedEvent",
    "Plan",
    "PlanAction",
    "PlanChange",
    "PlanField",
    "PlanObject",
    "PostApplyCreateMissingRoles",
    "PostApplyDryRun",
    "PostApplyPrune",
    "PostApplyPruneOrganizations",
    "PreviousDomainAttributes",
    "PreviousGroupAttributes",
    "PreviousMembershipAttributes",
    "PreviousOrganizationAttributes",
    "PreviousRoleAttributes",
    "Problem",
    "Refusal",
    "Replay",
    "Role",
    "RoleCreate",
    "RoleData",
    "RoleDataChange",
    "RoleList",
    "RoleTemplate",
    "RoleTemplateCreatedEvent",
    "RoleTemplateDeletedEvent",
    "RoleTemplateList",
    "RoleTemplateUpdatedEvent",
    "RoleUpdate",
    "RoleUpdated",
    "RosterDocument",
    "TemplateRole",
    "TemplateRoleChange",
    "TemplateRoleUpdated",
    "WebhookEndpoint",
    "WebhookEndpointCreate",
    "WebhookEndpointDisabledEvent",
    "WebhookEndpointList",
    "WebhookEndpointSecret",
    "WebhookEndpointUpdate",
    "WebhookQueued",
    "WebhookRecover",
    "WebhookReplay",
    "WebhookSecretRotate",
)
