/**
 * A rate over a sliding window of about one second, fed with counts as they
 * happen. Cheap enough to sit on every message path: two numbers per bucket.
 */
export class RateMeter {
  private readonly buckets: Float64Array;
  private readonly bucketMs: number;
  private lastBucket = -1;
  total = 0;

  constructor(windowMs = 1000, nBuckets = 10, private readonly now: () => number = () => Date.now()) {
    this.buckets = new Float64Array(nBuckets);
    this.bucketMs = windowMs / nBuckets;
  }

  add(count: number): void {
    this.advance();
    this.buckets[this.lastBucket % this.buckets.length] += count;
    this.total += count;
  }

  /** Per second, over the completed window. */
  rate(): number {
    this.advance();
    let sum = 0;
    for (let i = 0; i < this.buckets.length; i++) sum += this.buckets[i];
    return sum / ((this.bucketMs * this.buckets.length) / 1000);
  }

  private advance(): void {
    const bucket = Math.floor(this.now() / this.bucketMs);
    if (this.lastBucket < 0) { this.lastBucket = bucket; return; }
    const steps = Math.min(bucket - this.lastBucket, this.buckets.length);
    for (let i = 1; i <= steps; i++) this.buckets[(this.lastBucket + i) % this.buckets.length] = 0;
    if (bucket > this.lastBucket) this.lastBucket = bucket;
  }
}
