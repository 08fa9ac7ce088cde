/// The master's operations components: the management server (``ManagementServer``), the
/// analytics event writer (``EventWriter``) and the Prometheus metrics endpoint (``MetricsServer``).
public enum ShadowOperations {}
