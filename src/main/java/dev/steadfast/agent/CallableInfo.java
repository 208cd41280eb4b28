package dev.steadfast.agent;

/** What {@link Agent#getCallableMethods()} reports of one {@link Callable} method. */
public record CallableInfo(String name, String description, boolean streaming) {}
