package io.warmpool.bootstrap.wiring;

import static java.lang.annotation.ElementType.METHOD;
import static java.lang.annotation.ElementType.PARAMETER;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import com.google.inject.BindingAnnotation;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;

/**
 * The {@link io.warmpool.bootstrap.runtime.Lifecycle} of the installed provisioner: each provisioner module binds one,
 * saying how its provisioner stops (threads, child processes), and {@link ServiceModule} registers it in its place.
 */
@BindingAnnotation
@Target({METHOD, PARAMETER})
@Retention(RUNTIME)
@interface ProvisionerLifecycle {
}
