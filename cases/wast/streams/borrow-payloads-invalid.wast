;; Explainer.md "Streams and futures": validation rejects (stream T) and (future T) when T transitively contains a borrow (a call-scoped handle cannot travel on a stream or future; definitions.py stream_copy and future_copy assert(not contains_borrow(...)) because validation guarantees it); the same shapes with own<R> validate.
(component
  (type $R (resource (rep i32)))
  (type $S (stream (own $R)))
  (type $F (future (tuple u8 (option (own $R)))))
  (core func (canon stream.new $S))
  (core func (canon future.new $F)))
(assert_invalid
  (component
    (type $R (resource (rep i32)))
    (type $S (stream (borrow $R)))
    (core func (canon stream.new $S)))
  "borrow")
(assert_invalid
  (component
    (type $R (resource (rep i32)))
    (type $F (future (borrow $R)))
    (core func (canon future.new $F)))
  "borrow")
(assert_invalid
  (component
    (type $R (resource (rep i32)))
    (type $F (future (tuple u8 (option (borrow $R)))))
    (core func (canon future.new $F)))
  "borrow")
