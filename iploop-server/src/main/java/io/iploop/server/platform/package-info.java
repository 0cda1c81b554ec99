/**
 * Cross-cutting platform concerns shared by every feature: the {@code iploop.*} configuration, secrets generated into the data directory, JWT tokens, random tokens and hashes, the authenticated caller and the base exception type that maps to the JSON error envelope.
 */
@NullMarked
package io.iploop.server.platform;

import org.jspecify.annotations.NullMarked;
