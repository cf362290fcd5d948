//! HTTP and database clients and web frameworks: reqwest, hyper, sqlx, tonic, actix-web, ntex.

use super::{Api, FnRow, MethodRow, Ret, Role, FUT};

const RB: Api = Api::new(Ret::Type("reqwest::RequestBuilder"));

pub const FNS: &[FnRow] = &[
    // actix-web's and ntex's offload: the closure runs on a blocking thread pool.
    ("actix_web::web::block", FUT.role(Role::Offloads)),
    ("ntex::web::block", FUT.role(Role::Offloads)),
    (
        "reqwest::get",
        Api::new(Ret::FutureResult("reqwest::Response")),
    ),
    (
        "reqwest::Client::new",
        Api::new(Ret::Type("reqwest::Client")),
    ),
    ("sqlx::query", Api::new(Ret::Type("sqlx::query::Query"))),
    ("sqlx::query_as", Api::new(Ret::Type("sqlx::query::Query"))),
    (
        "sqlx::query_scalar",
        Api::new(Ret::Type("sqlx::query::Query")),
    ),
    ("sqlx::PgPool::connect", FUT),
    ("sqlx::SqlitePool::connect", FUT),
    ("sqlx::MySqlPool::connect", FUT),
    ("sqlx::Pool::connect", FUT),
    ("hyper::body::to_bytes", FUT),
    (
        "tonic::transport::Channel::from_static",
        Api::new(Ret::Type("tonic::transport::Endpoint")),
    ),
    (
        "tonic::transport::Endpoint::from_static",
        Api::new(Ret::Type("tonic::transport::Endpoint")),
    ),
];

pub const METHODS: &[MethodRow] = &[
    ("reqwest::Client", "get", RB),
    ("reqwest::Client", "post", RB),
    ("reqwest::Client", "put", RB),
    ("reqwest::Client", "patch", RB),
    ("reqwest::Client", "delete", RB),
    ("reqwest::Client", "head", RB),
    ("reqwest::Client", "request", RB),
    (
        "reqwest::Client",
        "execute",
        Api::new(Ret::FutureResult("reqwest::Response")),
    ),
    ("reqwest::RequestBuilder", "header", RB),
    ("reqwest::RequestBuilder", "headers", RB),
    ("reqwest::RequestBuilder", "json", RB),
    ("reqwest::RequestBuilder", "body", RB),
    ("reqwest::RequestBuilder", "query", RB),
    ("reqwest::RequestBuilder", "form", RB),
    ("reqwest::RequestBuilder", "timeout", RB),
    ("reqwest::RequestBuilder", "bearer_auth", RB),
    ("reqwest::RequestBuilder", "basic_auth", RB),
    (
        "reqwest::RequestBuilder",
        "send",
        Api::new(Ret::FutureResult("reqwest::Response")),
    ),
    ("reqwest::Response", "text", FUT),
    ("reqwest::Response", "json", FUT),
    ("reqwest::Response", "bytes", FUT),
    ("reqwest::Response", "chunk", FUT),
    ("sqlx::query::Query", "execute", FUT),
    ("sqlx::query::Query", "fetch_one", FUT),
    ("sqlx::query::Query", "fetch_all", FUT),
    ("sqlx::query::Query", "fetch_optional", FUT),
    (
        "sqlx::query::Query",
        "bind",
        Api::new(Ret::Type("sqlx::query::Query")),
    ),
    ("sqlx::Pool", "acquire", FUT),
    ("sqlx::Pool", "begin", FUT),
    ("sqlx::Pool", "close", FUT),
    ("sqlx::Transaction", "commit", FUT),
    ("sqlx::Transaction", "rollback", FUT),
    ("tonic::transport::Endpoint", "connect", FUT),
];

/// actix: its runtime's timers, the test helpers, the server handle.
pub const ACTIX_FNS: &[FnRow] = &[
    ("actix_rt::time::sleep", FUT),
    ("actix_rt::time::timeout", FUT),
    ("actix_web::rt::time::sleep", FUT),
    ("actix_web::rt::time::timeout", FUT),
    ("actix_web::test::init_service", FUT),
    ("actix_web::test::call_service", FUT),
    ("actix_web::test::try_call_service", FUT),
    ("actix_web::test::read_body", FUT),
    ("actix_web::test::read_body_json", FUT),
    ("actix_web::test::call_and_read_body", FUT),
    ("actix_web::test::call_and_read_body_json", FUT),
    (
        "actix_test::start",
        Api::new(Ret::Type("actix_test::TestServer")),
    ),
    (
        "actix_test::start_with",
        Api::new(Ret::Type("actix_test::TestServer")),
    ),
];

pub const ACTIX_METHODS: &[MethodRow] = &[
    ("actix_test::TestServer", "stop", FUT),
    ("actix_web::dev::ServerHandle", "stop", FUT),
    ("actix_web::dev::Server", "stop", FUT),
    (
        "actix_web::dev::Server",
        "handle",
        Api::new(Ret::Type("actix_web::dev::ServerHandle")),
    ),
    // actix-web re-exports actix-server's types under `actix_web::dev`.
    ("actix_server::ServerHandle", "stop", FUT),
    ("actix_server::Server", "stop", FUT),
    (
        "actix_server::Server",
        "handle",
        Api::new(Ret::Type("actix_server::ServerHandle")),
    ),
];
