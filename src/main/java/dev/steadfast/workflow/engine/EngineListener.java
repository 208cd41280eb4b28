package dev.steadfast.workflow.engine;

/**
 * Receives {@link EngineEvent}s after the change they describe is committed. Called on engine
 * threads: return quickly; a listener that throws is logged and ignored.
 */
@FunctionalInterface
public interface EngineListener {
  void onEvent(EngineEvent event);
}
