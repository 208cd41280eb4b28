package dev.steadfast.workflow;

/** The name and message of the error that failed an instance, a step or an attempt. */
public record ErrorInfo(String name, String message) {}
