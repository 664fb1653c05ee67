//! The end-to-end suite, one test binary: it links the application once and shares one
//! throwaway Postgres (started on first use, a fresh database per test) across every module.
//! Each module covers one area against the real app, the real binary and real receivers.

mod support;

mod access;
mod apply_http;
mod audit;
mod bad_input;
mod cli;
mod clients;
mod console;
mod deletion_crash;
mod deployment;
mod domains;
mod event_tools;
mod fuzz;
mod group_roles;
mod groups;
mod http_edge;
mod idempotency;
mod invitations;
mod kafka;
mod memberships;
mod openapi;
mod organizations;
mod outage;
mod pagination;
mod plan;
mod projection;
mod prune;
mod reads;
mod rebuild;
mod replay;
mod replica;
mod role_assignment;
mod role_templates;
mod roles;
mod seats;
mod security;
mod template_role_sets;
mod units;
mod webhook_crash;
mod webhook_endpoints;
mod webhooks;
