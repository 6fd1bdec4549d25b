/**
 * ObjectStore on an S3 bucket. Encryption is the bucket's default (SSE-KMS with the stack's
 * key); the SHA-256 checksum makes S3 reject a body damaged in transit.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ValidationError } from '../../domain/errors.js';
import { OBJECT_KEY_RE, type ObjectStore } from '../../ports/object-store.js';

export class S3ObjectStore implements ObjectStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async put(key: string, body: string, contentType: string): Promise<string> {
    if (!OBJECT_KEY_RE.test(key))
      throw new ValidationError([{ path: 'key', message: `invalid key '${key}'` }]);
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: contentType,
        ChecksumAlgorithm: 'SHA256',
      }),
    );
    return `s3://${this.bucket}/${key}`;
  }
}
