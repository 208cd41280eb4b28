package dev.steadfast.api;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** Mounts the REST API where Cloudflare clients expect it (their base URL ends in /client/v4). */
@ApplicationPath("/client/v4")
public class ApiApplication extends Application {}
