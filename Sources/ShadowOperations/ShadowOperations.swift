/// The operations components — the management server (``ManagementServer``), the analytics event
/// writer (``EventWriter``) and the Prometheus metrics endpoint (``MetricsServer``) — run by the
/// sandboxed `shadow-ops` process, never by the root master.
public enum ShadowOperations {}
