/// The JSON API under `/api/v1/`, served as extra routes of ``HTTPEndpoints`` on the HTTP thread pool.
///
/// Each route is its own stateless type; this one only names their paths.
package struct APIRoutes: Sendable {
    let explain: ExplainRoute
    let unmapped: UnmappedRoute
    let status: StatusRoute
    let cardinality: CardinalityRoute

    /// The routes by exact path, for ``HTTPEndpoints/extraRoutes``.
    package var byPath: [String: HTTPEndpoints.Route] {
        let (explain, unmapped, status, cardinality) = (self.explain, self.unmapped, self.status, self.cardinality)
        return [
            "/api/v1/explain": { request in explain.respond(request) },
            "/api/v1/unmapped": { request in unmapped.respond(request) },
            "/api/v1/status": { request in status.respond(request) },
            "/api/v1/cardinality": { request in cardinality.respond(request) },
        ]
    }
}
