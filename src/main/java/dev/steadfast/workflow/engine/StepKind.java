package dev.steadfast.workflow.engine;

/** The two kinds of durable steps a turn runs: the workflow's own, and compensations. */
enum StepKind {
  DO("do", EngineEvent.Type.STEP_START, EngineEvent.Type.STEP_SUCCESS,
      EngineEvent.Type.STEP_FAILURE, EngineEvent.Type.ATTEMPT_START,
      EngineEvent.Type.ATTEMPT_SUCCESS, EngineEvent.Type.ATTEMPT_FAILURE),
  ROLLBACK("rollback", EngineEvent.Type.ROLLBACK_START, EngineEvent.Type.ROLLBACK_SUCCESS,
      EngineEvent.Type.ROLLBACK_FAILURE, EngineEvent.Type.ROLLBACK_ATTEMPT_START,
      EngineEvent.Type.ROLLBACK_ATTEMPT_SUCCESS, EngineEvent.Type.ROLLBACK_ATTEMPT_FAILURE);

  /** sf_step.kind and the prefix of the step key. */
  final String kind;
  final EngineEvent.Type start;
  final EngineEvent.Type success;
  final EngineEvent.Type failure;
  final EngineEvent.Type attemptStart;
  final EngineEvent.Type attemptSuccess;
  final EngineEvent.Type attemptFailure;

  StepKind(String kind, EngineEvent.Type start, EngineEvent.Type success,
      EngineEvent.Type failure, EngineEvent.Type attemptStart, EngineEvent.Type attemptSuccess,
      EngineEvent.Type attemptFailure) {
    this.kind = kind;
    this.start = start;
    this.success = success;
    this.failure = failure;
    this.attemptStart = attemptStart;
    this.attemptSuccess = attemptSuccess;
    this.attemptFailure = attemptFailure;
  }

  String key(String name, int count) {
    return kind + ":" + name + "-" + count;
  }
}
