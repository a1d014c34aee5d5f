/** LightJson: the hand-written JSON reader/writer for the hook path, the guest agent wire and the files host and guest share. */
package io.timeshift.common.json;
