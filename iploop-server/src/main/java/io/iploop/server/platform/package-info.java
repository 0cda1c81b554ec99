/**
 * Cross-cutting platform concerns shared by every feature: the {@code iploop.*} configuration, secrets generated into the data directory, JWT tokens, random tokens and hashes, the authenticated caller and the base exception type that maps to the JSON error envelope. A shared application module ({@code docs/architecture.md}): every feature may use this base package and the {@code v2} named interface; {@code platform.internal} (security chain, error handler, database configuration) stays private, and platform depends on no feature.
 */
@NullMarked
@ApplicationModule(displayName = "Platform (shared infrastructure)", allowedDependencies = {})
package io.iploop.server.platform;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
