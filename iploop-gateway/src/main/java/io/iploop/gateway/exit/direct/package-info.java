/**
 * The direct exit: streams that leave from the gateway host itself, only when enabled (DESIGN §1)
 * and always through the egress policy (DESIGN §6). Used by tests and local trials.
 */
@NullMarked
package io.iploop.gateway.exit.direct;

import org.jspecify.annotations.NullMarked;
