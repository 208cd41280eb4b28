package dev.steadfast.workflow.engine;

import dev.steadfast.workflow.NonRetryableError;
import dev.steadfast.workflow.StepFailedException;
import dev.steadfast.workflow.store.StepRecord;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The exception a failed step throws into {@code run}, the first time and on replay. The class of
 * the original exception is recorded in the failed step's {@code result_type} (unused by failed
 * steps otherwise): {@code "!" + class name}, or {@code "!NonRetryableError"} (+ {@code ":" +
 * class name} for a subclass). On replay the exception is rebuilt from that class and the recorded
 * message when the class allows it (public, with a public {@code (String)} or no-argument
 * constructor); rows written before the class was recorded replay as before.
 */
final class StepErrors {
  private static final Logger LOG = Logger.getLogger(StepErrors.class.getName());

  /** Class names longer than this are not recorded (result_type is VARCHAR(512)). */
  private static final int MAX_CLASS_NAME = 500;

  private StepErrors() {}

  /** The result_type of a failed do step whose last attempt threw {@code error}. */
  static String recordedType(Throwable error, boolean nonRetryable) {
    String name = error == null ? null : error.getClass().getName();
    if (nonRetryable) {
      return error != null && error.getClass() != NonRetryableError.class
          && name.length() <= MAX_CLASS_NAME ? Turn.NON_RETRYABLE + ":" + name : Turn.NON_RETRYABLE;
    }
    return recordedType(name);
  }

  /** The result_type of a failed step whose last error was of class {@code name} (or null). */
  static String recordedType(String name) {
    return name == null || name.length() > MAX_CLASS_NAME ? null : "!" + name;
  }

  /** The error a failed step throws on replay: the same kind, name and message as the first time. */
  static RuntimeException replay(StepRecord rec, ClassLoader loader) {
    String type = rec.resultType();
    String stepName = rec.name() + "-" + rec.occurrence();
    if (type != null && type.startsWith(Turn.NON_RETRYABLE)) {
      String cls = type.length() > Turn.NON_RETRYABLE.length()
          ? type.substring(Turn.NON_RETRYABLE.length() + 1) : null;
      Throwable rebuilt = cls == null ? null : rebuild(cls, rec.errorMessage(), loader);
      if (rebuilt instanceof NonRetryableError n) {
        return n;
      }
      return new NonRetryableError(rec.errorMessage(), rec.errorName());
    }
    String cls = type != null && type.startsWith("!") ? type.substring(1) : null;
    Throwable cause = cls == null ? null : rebuild(cls, rec.errorMessage(), loader);
    return new StepFailedException(stepName, rec.errorName(), rec.errorMessage(), cause, cls);
  }

  /** A new exception of class {@code name} with {@code message}, or null when it cannot be made. */
  private static Throwable rebuild(String name, String message, ClassLoader loader) {
    try {
      Class<?> c = Class.forName(name, false, loader);
      if (!Exception.class.isAssignableFrom(c) || !Modifier.isPublic(c.getModifiers())
          || Modifier.isAbstract(c.getModifiers())) {
        return null;
      }
      try {
        Constructor<?> k = c.getConstructor(String.class);
        return (Throwable) k.newInstance(message);
      } catch (NoSuchMethodException e) {
        return (Throwable) c.getConstructor().newInstance();
      }
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      LOG.log(Level.FINE, "the exception of a failed step cannot be rebuilt as " + name, e);
      return null;
    }
  }
}
