-- A receiver's answer is kept as the bytes it sent (its first 4 KiB), whatever they are. As text
-- it could not hold a NUL or bytes that are not UTF-8: one such answer made the attempt log's
-- write fail, and the delivery was sent again and again. The API shows the bytes as text when
-- they are UTF-8 without a NUL, and base64 otherwise.
ALTER TABLE webhook_attempts
    ALTER COLUMN response_excerpt TYPE bytea USING convert_to(response_excerpt, 'UTF8');
