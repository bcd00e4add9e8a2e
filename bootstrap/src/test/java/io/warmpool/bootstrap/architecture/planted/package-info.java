/**
 * A small hexagon with the same shape as warmpool's, in test sources, whose classes break the dependency rules on
 * purpose: {@code DependencyRuleTest} checks that every rule fails on its planted violation (a rule that cannot
 * fail proves nothing). Each class says which rule it breaks. Never imported with the production classes.
 */
package io.warmpool.bootstrap.architecture.planted;
