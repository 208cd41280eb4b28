package dev.steadfast.agent;

import java.util.List;
import java.util.Map;

/** A plain HTTP request routed to {@link Agent#onRequest}; path is the sub-path after the name. */
public record AgentRequest(
    String method, String path, Map<String, String> query, Map<String, List<String>> headers,
    String body) {}
