//! Row-major n-d arrays and the affine expressions the lowering computes
//! with. Data movement (reshape, transpose, slice, gather, pad, tile,
//! resize …) is one primitive, [`Nd::remap`], over any element type: on
//! constants it is constant folding, on computed values it is wiring.

use crate::ZkmlError;

/// A row-major array.
#[derive(Clone, Debug, PartialEq)]
pub struct Nd<T> {
    pub shape: Vec<usize>,
    pub data: Vec<T>,
}

/// Largest number of elements a tensor of the lowering may have: a bound
/// that keeps a hostile shape an error instead of an allocation abort.
pub const MAX_ELEMENTS: usize = 1 << 26;

pub fn model(msg: impl Into<String>) -> ZkmlError {
    ZkmlError::Model(msg.into())
}

/// Elements of `shape`, checked for overflow and [`MAX_ELEMENTS`].
pub fn numel(shape: &[usize]) -> Result<usize, ZkmlError> {
    shape
        .iter()
        .try_fold(1usize, |n, &d| n.checked_mul(d))
        .filter(|&n| n <= MAX_ELEMENTS)
        .ok_or_else(|| model(format!("a tensor of shape {shape:?} is larger than {MAX_ELEMENTS} elements")))
}

/// The most bytes one tensor's elements may take (their own heap aside): a
/// tensor of expressions is several times a float's size, so its bound in
/// elements is lower than [`MAX_ELEMENTS`].
const MAX_TENSOR_BYTES: usize = 1 << 29;

/// [`numel`], bounded for elements of type `T` by [`MAX_TENSOR_BYTES`].
pub fn numel_of<T>(shape: &[usize]) -> Result<usize, ZkmlError> {
    let n = numel(shape)?;
    let most = MAX_TENSOR_BYTES / std::mem::size_of::<T>().max(1);
    if n > most {
        return Err(model(format!("a tensor of shape {shape:?} is larger than {most} elements of its kind")));
    }
    Ok(n)
}

pub fn strides(shape: &[usize]) -> Vec<usize> {
    let mut strides = vec![1; shape.len()];
    for axis in (0..shape.len().saturating_sub(1)).rev() {
        strides[axis] = strides[axis + 1] * shape[axis + 1];
    }
    strides
}

/// An axis attribute in `[-rank, rank)` made non-negative.
pub fn axis(axis: i64, rank: usize) -> Result<usize, ZkmlError> {
    let r = rank as i64;
    if axis < -r || axis >= r {
        return Err(model(format!("axis {axis} out of range for rank {rank}")));
    }
    Ok(if axis < 0 { axis + r } else { axis } as usize)
}

/// numpy broadcasting of two shapes.
pub fn broadcast_shape(a: &[usize], b: &[usize]) -> Result<Vec<usize>, ZkmlError> {
    let rank = a.len().max(b.len());
    let dim = |s: &[usize], i: usize| if i + s.len() >= rank { s[i + s.len() - rank] } else { 1 };
    (0..rank)
        .map(|i| match (dim(a, i), dim(b, i)) {
            (x, y) if x == y => Ok(x),
            (1, y) => Ok(y),
            (x, 1) => Ok(x),
            _ => Err(model(format!("shapes {a:?} and {b:?} do not broadcast"))),
        })
        .collect()
}

impl<T: Clone> Nd<T> {
    pub fn new(shape: Vec<usize>, data: Vec<T>) -> Result<Self, ZkmlError> {
        if numel_of::<T>(&shape)? != data.len() {
            return Err(model(format!("{} values for shape {shape:?}", data.len())));
        }
        Ok(Self { shape, data })
    }

    pub fn scalar(value: T) -> Self {
        Self { shape: Vec::new(), data: vec![value] }
    }

    pub fn len(&self) -> usize {
        self.data.len()
    }

    pub fn map<U>(&self, f: impl FnMut(&T) -> U) -> Nd<U> {
        Nd { shape: self.shape.clone(), data: self.data.iter().map(f).collect() }
    }

    /// The array of `shape` whose element at each index is this array's at
    /// `source(index)`, or `fill` where that is `None` (padding).
    pub fn remap(
        &self,
        shape: Vec<usize>,
        fill: &T,
        mut source: impl FnMut(&[usize]) -> Option<usize>,
    ) -> Result<Self, ZkmlError> {
        let n = numel_of::<T>(&shape)?;
        let mut index = vec![0usize; shape.len()];
        let mut data = Vec::with_capacity(n);
        for _ in 0..n {
            data.push(match source(&index) {
                Some(i) => self.data.get(i).cloned().ok_or_else(|| model("index out of range"))?,
                None => fill.clone(),
            });
            for axis in (0..shape.len()).rev() {
                index[axis] += 1;
                if index[axis] < shape[axis] {
                    break;
                }
                index[axis] = 0;
            }
        }
        Ok(Self { shape, data })
    }

    pub fn reshape(self, shape: Vec<usize>) -> Result<Self, ZkmlError> {
        Self::new(shape, self.data)
    }

    /// numpy broadcasting to `target`.
    pub fn broadcast_to(&self, target: &[usize]) -> Result<Self, ZkmlError> {
        if broadcast_shape(&self.shape, target)? != target {
            return Err(model(format!("cannot broadcast {:?} to {target:?}", self.shape)));
        }
        let offset = target.len() - self.shape.len();
        let st = strides(&self.shape);
        let fill = self.data.first().cloned().ok_or_else(|| model("empty tensor"))?;
        self.remap(target.to_vec(), &fill, |idx| {
            Some((0..self.shape.len()).map(|a| if self.shape[a] == 1 { 0 } else { idx[a + offset] * st[a] }).sum())
        })
    }

    pub fn transpose(&self, perm: &[usize]) -> Result<Self, ZkmlError> {
        let mut seen = vec![false; self.shape.len()];
        if perm.len() != self.shape.len()
            || perm.iter().any(|&p| p >= seen.len() || std::mem::replace(&mut seen[p], true))
        {
            return Err(model(format!("perm {perm:?} is not a permutation of rank {}", self.shape.len())));
        }
        let st = strides(&self.shape);
        let shape = perm.iter().map(|&p| self.shape[p]).collect();
        let fill = self.data.first().cloned();
        match fill {
            None => Ok(Self { shape, data: Vec::new() }),
            Some(fill) => self.remap(shape, &fill, |idx| Some(perm.iter().zip(idx).map(|(&p, &i)| i * st[p]).sum())),
        }
    }

    /// Elements `start, start + step, …` before `end` along each of `axes`.
    pub fn slice(&self, axes: &[usize], starts: &[i64], ends: &[i64], steps: &[i64]) -> Result<Self, ZkmlError> {
        let mut begin: Vec<i64> = vec![0; self.shape.len()];
        let mut step: Vec<i64> = vec![1; self.shape.len()];
        let mut shape = self.shape.clone();
        for (i, &a) in axes.iter().enumerate() {
            let d = self.shape[a] as i64;
            let s = steps.get(i).copied().unwrap_or(1);
            if s == 0 {
                return Err(model("slice step 0"));
            }
            let clamp = |v: i64, lo: i64, hi: i64| v.clamp(lo, hi);
            let norm = |v: i64| if v < 0 { v.saturating_add(d) } else { v };
            let (b, e) = if s > 0 {
                (clamp(norm(starts[i]), 0, d), clamp(norm(ends[i]), 0, d))
            } else {
                (clamp(norm(starts[i]), -1, d - 1), clamp(norm(ends[i]), -1, d - 1))
            };
            let (span, stride) = if s > 0 { ((e - b).max(0), s) } else { ((b - e).max(0), -s) };
            let count = (span + stride - 1) / stride;
            begin[a] = b;
            step[a] = s;
            shape[a] = count as usize;
        }
        let st = strides(&self.shape);
        let Some(fill) = self.data.first().cloned() else { return Ok(Self { shape, data: Vec::new() }) };
        self.remap(shape, &fill, |idx| {
            Some(idx.iter().enumerate().map(|(a, &i)| (begin[a] + i as i64 * step[a]) as usize * st[a]).sum())
        })
    }

    /// `Gather` along `axis` with constant `indices` (negative from the end).
    pub fn gather(&self, axis: usize, indices: &Nd<i64>) -> Result<Self, ZkmlError> {
        let d = self.shape[axis] as i64;
        let idx: Vec<usize> = indices
            .data
            .iter()
            .map(|&i| {
                let j = if i < 0 { i + d } else { i };
                (0..d).contains(&j).then_some(j as usize).ok_or_else(|| model(format!("index {i} out of range {d}")))
            })
            .collect::<Result<_, _>>()?;
        let mut shape = self.shape[..axis].to_vec();
        shape.extend(&indices.shape);
        shape.extend(&self.shape[axis + 1..]);
        let st = strides(&self.shape);
        let ist = strides(&indices.shape);
        let r = indices.shape.len();
        let Some(fill) = self.data.first().cloned() else { return Ok(Self { shape, data: Vec::new() }) };
        self.remap(shape, &fill, |out| {
            let flat: usize = (0..r).map(|k| out[axis + k] * ist[k]).sum();
            let mut src = idx[flat] * st[axis];
            for a in 0..axis {
                src += out[a] * st[a];
            }
            for a in axis + 1..self.shape.len() {
                src += out[a + r - 1] * st[a];
            }
            Some(src)
        })
    }

    pub fn concat(parts: &[Self], axis: usize) -> Result<Self, ZkmlError> {
        let first = parts.first().ok_or_else(|| model("Concat of nothing"))?;
        let mut shape = first.shape.clone();
        if axis >= shape.len() {
            return Err(model(format!("axis {axis} out of range")));
        }
        shape[axis] = 0;
        for p in parts {
            if p.shape.len() != first.shape.len() || (0..shape.len()).any(|a| a != axis && p.shape[a] != first.shape[a])
            {
                return Err(model(format!("cannot concatenate {:?} and {:?}", first.shape, p.shape)));
            }
            shape[axis] += p.shape[axis];
        }
        let outer: usize = shape[..axis].iter().product();
        let mut data = Vec::with_capacity(numel_of::<T>(&shape)?);
        for o in 0..outer {
            for p in parts {
                let chunk = p.shape[axis..].iter().product::<usize>();
                data.extend_from_slice(&p.data[o * chunk..(o + 1) * chunk]);
            }
        }
        Ok(Self { shape, data })
    }

    /// Pads by `begin[a]`/`end[a]` on each axis (negative crops): `mode`
    /// "constant" fills with `fill`, "edge" repeats the border, "reflect"
    /// mirrors without repeating it.
    pub fn pad(&self, begin: &[i64], end: &[i64], mode: &str, fill: &T) -> Result<Self, ZkmlError> {
        let rank = self.shape.len();
        let shape: Vec<usize> = (0..rank)
            .map(|a| {
                let d = self.shape[a] as i64 + begin[a] + end[a];
                usize::try_from(d).map_err(|_| model(format!("pads make axis {a} negative")))
            })
            .collect::<Result<_, _>>()?;
        numel_of::<T>(&shape)?;
        let st = strides(&self.shape);
        let shape_in = self.shape.clone();
        if mode != "constant" && shape_in.contains(&0) {
            return Err(model(format!("{mode} padding of an empty tensor")));
        }
        if mode == "reflect" && (0..rank).any(|a| begin[a].max(end[a]) >= shape_in[a] as i64) {
            return Err(model("reflect padding as wide as the axis"));
        }
        self.remap(shape, fill, |idx| {
            let mut src = 0;
            for a in 0..rank {
                let d = shape_in[a] as i64;
                let mut i = idx[a] as i64 - begin[a];
                if !(0..d).contains(&i) {
                    match mode {
                        "edge" => i = i.clamp(0, d - 1),
                        "reflect" => i = if i < 0 { -i } else { 2 * (d - 1) - i },
                        _ => return None,
                    }
                }
                src += i as usize * st[a];
            }
            Some(src)
        })
    }

    pub fn tile(&self, repeats: &[usize]) -> Result<Self, ZkmlError> {
        if repeats.len() != self.shape.len() {
            return Err(model("Tile: one repeat per axis"));
        }
        let shape: Vec<usize> = self.shape.iter().zip(repeats).map(|(d, r)| d.saturating_mul(*r)).collect();
        let st = strides(&self.shape);
        let Some(fill) = self.data.first().cloned() else { return Ok(Self { shape, data: Vec::new() }) };
        let shape_in = self.shape.clone();
        self.remap(shape, &fill, |idx| Some(idx.iter().enumerate().map(|(a, &i)| (i % shape_in[a]) * st[a]).sum()))
    }

    /// Splits along `axis` into parts of the given sizes.
    pub fn split(&self, axis: usize, sizes: &[usize]) -> Result<Vec<Self>, ZkmlError> {
        if sizes.iter().sum::<usize>() != self.shape[axis] {
            return Err(model(format!("split sizes {sizes:?} do not add up to {}", self.shape[axis])));
        }
        let mut start = 0i64;
        sizes
            .iter()
            .map(|&s| {
                let part = self.slice(&[axis], &[start], &[start + s as i64], &[1]);
                start += s as i64;
                part
            })
            .collect()
    }
}

/// A coefficient: its value, and whether it comes from the model's
/// parameters (hidden when the model is private) or from the graph's
/// structure (the 1 of an addition, the 1/n of a mean).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Coef {
    pub value: f64,
    pub param: bool,
}

impl Coef {
    pub fn structural(value: f64) -> Self {
        Self { value, param: false }
    }

    pub fn param(value: f64) -> Self {
        Self { value, param: true }
    }

    pub fn times(self, other: Coef) -> Coef {
        Coef { value: self.value * other.value, param: self.param || other.param }
    }

    pub fn plus(self, other: Coef) -> Coef {
        Coef { value: self.value + other.value, param: self.param || other.param }
    }
}

/// `Σ coef · value + bias` over program values, not yet materialized.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Affine {
    /// `(value id, coefficient)`, sorted by id, no repeats, no zeros.
    pub terms: Vec<(u32, Coef)>,
    pub bias: Coef,
}

impl Affine {
    pub fn value(id: u32) -> Self {
        Self { terms: vec![(id, Coef::structural(1.0))], bias: Coef::default() }
    }

    pub fn constant(c: Coef) -> Self {
        Self { terms: Vec::new(), bias: c }
    }

    /// The value id, when this is exactly one value.
    pub fn as_value(&self) -> Option<u32> {
        match self.terms[..] {
            [(id, c)] if c.value == 1.0 && self.bias.value == 0.0 => Some(id),
            _ => None,
        }
    }

    pub fn scaled(&self, c: Coef) -> Self {
        if c.value == 0.0 {
            return Self::default();
        }
        Self { terms: self.terms.iter().map(|&(v, k)| (v, k.times(c))).collect(), bias: self.bias.times(c) }
    }

    /// `Σ c_i · parts_i + bias`, terms merged by value.
    pub fn combine<'a>(parts: impl IntoIterator<Item = (Coef, &'a Affine)>, bias: Coef) -> Self {
        let mut terms: Vec<(u32, Coef)> = Vec::new();
        let mut total = bias;
        for (c, part) in parts {
            if c.value == 0.0 {
                continue;
            }
            terms.extend(part.terms.iter().map(|&(v, k)| (v, k.times(c))));
            total = total.plus(part.bias.times(c));
        }
        terms.sort_by_key(|t| t.0);
        let mut merged: Vec<(u32, Coef)> = Vec::with_capacity(terms.len());
        for (v, c) in terms {
            match merged.last_mut() {
                Some((last, k)) if *last == v => *k = k.plus(c),
                _ => merged.push((v, c)),
            }
        }
        merged.retain(|(_, c)| c.value != 0.0);
        Self { terms: merged, bias: total }
    }

    pub fn plus(&self, other: &Affine, sign: f64) -> Self {
        Self::combine([(Coef::structural(1.0), self), (Coef::structural(sign), other)], Coef::default())
    }
}
