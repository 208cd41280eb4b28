package dev.steadfast.agent;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a public agent method as callable by clients ({@code agent.call("name", args)}). Only
 * marked methods are exposed: any other public method answers "Method X is not callable".
 *
 * <p>A streaming method takes a {@link StreamingResponse} as its first parameter and sends chunks
 * through it. A method may return a {@link java.util.concurrent.CompletionStage}: the reply goes
 * when it completes, and the instance is free for other calls meanwhile.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Callable {
  /** Shown to clients and in the admin view. */
  String description() default "";

  /** True when the first parameter is a {@link StreamingResponse}. */
  boolean streaming() default false;
}
