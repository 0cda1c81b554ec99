/** The webhooks feature's implementation: controller, repository, signer, delivery worker, event listeners. */
@NullMarked
package io.iploop.server.webhooks.internal;

import org.jspecify.annotations.NullMarked;
