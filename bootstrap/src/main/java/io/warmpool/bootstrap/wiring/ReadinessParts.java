package io.warmpool.bootstrap.wiring;

import com.google.inject.BindingAnnotation;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The {@code Multibinder<ReadinessCheck>} of what {@code /readyz} also needs besides the database: the database
 * modules declare it (empty, so the API installs without a running service) and {@link ServiceModule} adds this
 * replica's loop and workers and the cluster's last pass. Checked in binding order, after the database.
 */
@BindingAnnotation
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@interface ReadinessParts {
}
