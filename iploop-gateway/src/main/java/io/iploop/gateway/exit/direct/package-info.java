/**
 * The direct exit: streams that leave from the gateway host itself, only when enabled
 * in the configuration, and always through the egress policy
 * (docs/security.md#exits-the-data-plane). Used by tests and local trials.
 */
@NullMarked
package io.iploop.gateway.exit.direct;

import org.jspecify.annotations.NullMarked;
